package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.FailoverSlots;
import dev.pgcdc.testkit.postgres.PostgresServer;
import dev.pgcdc.testkit.postgres.PostgresStandby;
import dev.pgcdc.testkit.postgres.ReplicationSlot;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL's own failover under a running source: a primary and a streaming standby (PostgreSQL 17,
 * started by the test kit), the source connected through {@code postgres.hosts = [primary, standby]},
 * a write load, kill -9 of the primary and promotion of the standby. With a failover slot streaming
 * resumes on the new primary and every change the standby had replayed arrives; without one the
 * source stops with an error that says what happened, and a new start refuses to create the slot.
 * The servers are pinned to 17, so the repetition on PostgreSQL 14 skips these tests.
 */
class PrimaryFailoverIT {

    private static final Duration BOUND = Duration.ofSeconds(90);

    private final String table = TestNames.unique("orders");
    private final String publication = TestNames.unique("failover_pub");
    private final String slot = TestNames.unique("failover_slot");

    @BeforeEach
    void onlyOnce() {
        Assumptions.assumeFalse("14".equals(System.getProperty("pgcdc.it.postgres.version")), "pinned to PostgreSQL 17; runs once");
    }

    @Test
    void aFailoverSlotCarriesStreamingOverToThePromotedStandbyWithNothingLost() throws Exception {
        try (PostgresServer primary = PostgresServer.builder().version("17").start();
             PostgresStandby standby = PostgresStandby.of(primary).start()) {
            primary.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, note text)");
            Set<Integer> received = ConcurrentHashMap.newKeySet();
            AtomicLong firstAfterPromotion = new AtomicLong();
            AtomicLong promoted = new AtomicLong(Long.MAX_VALUE);
            try (SourceHarness harness = SourceHarness.start(settings(primary, standby).slotFailover(true).build());
                 Consumer consumer = new Consumer(harness, received, promoted, firstAfterPromotion);
                 Writer writer = new Writer(primary, table)) {
                assertThat(ReplicationSlot.find(primary, slot).orElseThrow().failover()).as("created as a failover slot").isTrue();
                awaitCount(received, 50);
                FailoverSlots.awaitSynchronized(standby, slot, FailoverSlots.SYNC_BOUND);
                awaitCount(received, writer.committed.get() + 50);

                List<Integer> replayedBeforeKill = List.copyOf(writer.ids);
                standby.awaitReplayed();
                primary.kill();
                writer.stop();
                long promoting = System.nanoTime();
                promoted.set(promoting);
                standby.promote();
                standby.execute("INSERT INTO " + table + " VALUES (-1, 'written on the new primary')");

                awaitContains(received, -1, consumer);
                System.out.println("pgcdc PrimaryFailoverIT: first event from the new primary "
                        + Duration.ofNanos(firstAfterPromotion.get() - promoting).toMillis() + " ms after the promotion started; "
                        + replayedBeforeKill.size() + " changes committed before the kill, " + writer.committed.get() + " in all");
                assertThat(received).as("every change the standby had replayed before the kill").containsAll(replayedBeforeKill);
                assertThat(harness.source.reconnects()).isPositive();
                assertThat(consumer.failure.get()).isNull();
            }
        }
    }

    @Test
    void withoutAFailoverSlotTheSourceStopsWithAClearErrorAndDoesNotRecreateTheSlot() throws Exception {
        try (PostgresServer primary = PostgresServer.builder().version("17").start();
             PostgresStandby standby = PostgresStandby.of(primary).start()) {
            primary.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, note text)");
            primary.execute("INSERT INTO " + table + " VALUES (1, 'before')");
            try (SourceHarness harness = SourceHarness.start(settings(primary, standby).build())) {
                primary.execute("INSERT INTO " + table + " VALUES (2, 'streamed')");
                harness.take(1, BOUND);
                standby.awaitReplayed();
                primary.kill();
                standby.promote();
                standby.execute("INSERT INTO " + table + " VALUES (3, 'after the promotion')");
                assertThatThrownBy(() -> harness.pollFor(BOUND)).isInstanceOf(SourceException.class)
                        .hasMessageContaining("replication slot \"" + slot + "\" does not exist")
                        .hasMessageContaining("most likely a standby was promoted and the slot was not a synchronised failover slot");
            }
            assertThat(ReplicationSlot.find(standby, slot)).as("no slot created behind the user's back").isEmpty();

            assertThatThrownBy(() -> SourceHarness.start(settings(primary, standby).build()).close())
                    .isInstanceOf(SourceException.class)
                    .hasMessageContaining("replication slot \"" + slot + "\" does not exist, the publication exists already and the server is "
                            + "on timeline 2")
                    .hasMessageContaining("set slot.recreate-after-failover = true");
            assertThat(ReplicationSlot.find(standby, slot)).isEmpty();

            try (SourceHarness recreated = SourceHarness.start(settings(primary, standby).slotRecreateAfterFailover(true).build())) {
                standby.execute("INSERT INTO " + table + " VALUES (4, 'after the slot was recreated')");
                ChangeEvent event = recreated.take(1, BOUND).get(0);
                assertThat(event.after().value("id")).as("the gap is accepted explicitly: row 3 is skipped").isEqualTo(4);
            }
        }
    }

    private PostgresSourceSettings.Builder settings(PostgresServer primary, PostgresStandby standby) {
        return SourceHarness.settings(primary, publication, slot).host(null)
                .hosts(List.of(primary.host() + ":" + primary.port(), standby.host() + ":" + standby.port()))
                .tables(table);
    }

    private static void awaitCount(Set<Integer> received, int count) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (received.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " changes within " + BOUND + ", got " + received.size());
            }
            Thread.sleep(20);
        }
    }

    private static void awaitContains(Set<Integer> received, int id, Consumer consumer) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!received.contains(id)) {
            if (consumer.failure.get() != null) {
                throw new AssertionError("the source failed", consumer.failure.get());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("row " + id + " did not arrive within " + BOUND);
            }
            Thread.sleep(20);
        }
    }

    /** Inserts one row per transaction into {@code table} on the primary until stopped or the primary is gone; records what committed. */
    private static final class Writer implements AutoCloseable {
        final List<Integer> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicInteger committed = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Writer(PostgresServer primary, String table) {
            thread = new Thread(() -> {
                for (int id = 1; running.get(); id++) {
                    try {
                        primary.execute("INSERT INTO " + table + " VALUES (" + id + ", 'load')");
                    } catch (RuntimeException e) {
                        return; // the primary is gone
                    }
                    ids.add(id);
                    committed.incrementAndGet();
                }
            }, "failover-writer");
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(BOUND.toMillis());
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }

    /** Polls and acknowledges on a thread of its own, so the test thread can wait on the servers. */
    private static final class Consumer implements AutoCloseable {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Consumer(SourceHarness harness, Set<Integer> received, AtomicLong promoted, AtomicLong firstAfterPromotion) {
            thread = new Thread(() -> {
                try {
                    while (running.get()) {
                        for (ChangeEvent event : harness.source.poll(1000, Duration.ofMillis(50))) {
                            if (System.nanoTime() > promoted.get() && harness.source.reconnects() > 0) {
                                firstAfterPromotion.compareAndSet(0, System.nanoTime()); // streamed by the new primary
                            }
                            received.add((Integer) event.after().value("id"));
                            harness.source.acknowledge(event.position());
                        }
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "failover-consumer");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(BOUND.toMillis());
        }
    }
}
