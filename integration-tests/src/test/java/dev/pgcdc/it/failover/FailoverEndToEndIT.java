package dev.pgcdc.it.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue #16's acceptance tests: several instances of the packaged service (child JVMs) with one
 * configuration on one slot, under a continuous write load. One streams; the others stay passive and
 * take over when the active one is killed ({@code kill -9}) or stopped (SIGTERM), with every committed
 * change in Kafka afterwards (exactly once for a {@code read_committed} consumer in exactly-once mode,
 * where the new active instance fences a paused old one). Each takeover's time is logged: from the
 * first sample (every 20 ms) without a walsender on the slot to the first sample with the new
 * instance's, and to the first record the new instance wrote; the goal is under 3 s with the default
 * {@code slot.activity-check-interval} of 1 s, the assertion a generous {@link #TAKEOVER_BOUND} for
 * loaded machines.
 */
@TestEnvironment
class FailoverEndToEndIT {

    private static final Logger LOG = LoggerFactory.getLogger(FailoverEndToEndIT.class);
    /** What a takeover may take here, slot free to slot streamed again (the goal, reported, is 3 s). */
    private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(15);
    private static final Duration START_BOUND = Duration.ofSeconds(60);
    private static final String ACTIVE_LINE = "is active: streams from slot";
    private static final String PASSIVE_LINE = "is passive: slot";
    private static final String ERROR_LEVEL = " ERROR [";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the services' output
    Path directory;

    @Test
    void killNineOfTheActiveInstanceHandsTheSlotToThePassiveOneAndBackWithoutLosingAChange(PostgresDatabase postgres, KafkaCluster kafka) {
        Group group = new Group(postgres, kafka, directory);
        try (group) {
            PgcdcProcess a2 = group.overAndBack("kill -9", process -> process::kill);

            Set<Integer> ids = group.finishLoadAndReadIds(TopicReader.of(kafka), a2);
            assertThat(group.missing(ids)).as("inserted ids missing from the topic").isEmpty();
            assertThat(a2.stdout()).as("log of the instance that was passive, then active").doesNotContain(ERROR_LEVEL);
            a2.stopGracefully(Duration.ofSeconds(60));
        }
    }

    @Test
    void sigtermOfTheActiveInstanceHandsTheSlotOverAndSigtermOfAPassiveOneEndsItAtOnce(PostgresDatabase postgres, KafkaCluster kafka) {
        Group group = new Group(postgres, kafka, directory);
        try (group) {
            PgcdcProcess a2 = group.overAndBack("SIGTERM", process -> () -> process.stopGracefully(Duration.ofSeconds(60)));

            PgcdcProcess c = group.startPassive("c");
            long sigterm = System.nanoTime();
            c.stopGracefully(Duration.ofSeconds(10));
            LOG.info("a passive instance stopped on SIGTERM in {} ms, exit code 0", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm));
            assertThat(c.stdout()).contains("stopped (it was passive)").doesNotContain(ERROR_LEVEL);

            Set<Integer> ids = group.finishLoadAndReadIds(TopicReader.of(kafka), a2);
            assertThat(group.missing(ids)).as("inserted ids missing from the topic").isEmpty();
            a2.stopGracefully(Duration.ofSeconds(60));
        }
    }

    @Test
    void exactlyOnceTheNewActiveFencesAPausedOldOneAndAReadCommittedConsumerSeesEveryChangeOnce(PostgresDatabase postgres,
            KafkaCluster kafka) {
        Group group = new Group(postgres, kafka, directory, "pgcdc.kafka.exactly-once = true");
        TopicReader committed = TopicReader.readCommitted(kafka);
        try (group) {
            PgcdcProcess a = group.startActive("a");
            PgcdcProcess b = group.startPassive("b");
            group.startLoad();
            group.awaitRecords(committed, 200);

            PgcdcProcess newActive = group.takeOver(a, "kill -9", a::kill, List.of(b));
            assertThat(newActive).isSameAs(b);

            // a zombie: the new active is paused (SIGSTOP) while its walsender is ended, as a partition would end it;
            // the restarted instance takes over and its transactional producer fences the paused one
            PgcdcProcess a2 = group.startPassive("a2");
            PgcdcProcess resumedActive = group.takeOver(b, "SIGSTOP and walsender terminated", () -> {
                signal(b, "STOP");
                assertThat(group.slot.terminateWalsender()).as("walsender of the paused instance terminated").isTrue();
            }, List.of(a2));
            assertThat(resumedActive).isSameAs(a2);
            group.awaitNewRecords(committed, committed.endOffsetSum(group.topic));
            signal(b, "CONT");
            int zombieExit = b.awaitExit(Duration.ofSeconds(120));
            LOG.info("the paused instance, resumed, exited with {}: {}", zombieExit, b.stdout().lines()
                    .filter(line -> line.contains("fenced") || line.contains("in use by another walsender")).findFirst().orElse("(no line)"));
            assertThat(zombieExit).as("exit code of the resumed zombie\n%s", b.tail()).isNotZero();
            assertThat(b.stdout()).as("the zombie learned it lost the slot or its producer was fenced")
                    .containsAnyOf("fenced", "Fenced", "in use by another walsender");

            List<ChangeRecord> records = group.finishLoadAndRead(committed, a2);
            Map<Integer, Long> copies = records.stream().collect(Collectors.groupingBy(r -> r.after().get("id").asInt(), Collectors.counting()));
            assertThat(copies.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                    .as("ids a read_committed consumer sees more than once").isEmpty();
            assertThat(group.missing(copies.keySet())).as("inserted ids missing from the topic").isEmpty();
            a2.stopGracefully(Duration.ofSeconds(60));
        }
    }

    @Test
    void threeInstancesNeverStreamTwoAtOnceAndTheSlotIsNeverWithoutOneForLongerThanTheBound(PostgresDatabase postgres, KafkaCluster kafka) {
        Group group = new Group(postgres, kafka, directory);
        try (group) {
            PgcdcProcess a = group.startActive("a");
            long from = System.nanoTime();
            PgcdcProcess b = group.startPassive("b");
            PgcdcProcess c = group.startPassive("c");
            group.startLoad();

            PgcdcProcess second = group.takeOver(a, "kill -9", a::kill, List.of(b, c));
            List<PgcdcProcess> left = new ArrayList<>(List.of(b, c));
            left.remove(second);
            PgcdcProcess third = group.takeOver(second, "kill -9", second::kill, left);
            long to = System.nanoTime();

            assertThat(group.sampler.maxStreamingAtOnce(from)).as("pgcdc walsenders streaming at once").isEqualTo(1);
            long longestGap = group.sampler.longestGapMillis(from, to);
            LOG.info("three instances: the slot was at most {} ms without a walsender", longestGap);
            assertThat(longestGap).as("longest time without a walsender on the slot, ms").isLessThan(TAKEOVER_BOUND.toMillis());
            Set<Integer> ids = group.finishLoadAndReadIds(TopicReader.of(kafka), third);
            assertThat(group.missing(ids)).as("inserted ids missing from the topic").isEmpty();
            assertThat(group.sampler.maxStreamingAtOnce(from)).as("pgcdc walsenders streaming at once, to the end").isEqualTo(1);
            third.stopGracefully(Duration.ofSeconds(60));
        }
    }

    private static void signal(PgcdcProcess process, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            assertThat(kill.waitFor()).as("kill -%s %s", signal, process).isZero();
        } catch (IOException e) {
            throw new AssertionError("cannot send SIG" + signal + " to " + process, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** One failover group: a table, its topic, one configuration file for every instance, the slot, the load and the sampler. */
    private static final class Group implements AutoCloseable {
        final PostgresDatabase postgres;
        final KafkaCluster kafka;
        final Path directory;
        final String table = TestNames.unique("failover");
        final String topic;
        final ReplicationSlot slot;
        final Path config;
        final WalsenderSampler sampler;
        final List<PgcdcProcess> processes = new ArrayList<>();
        SteadyLoad load;
        int lastId;

        Group(PostgresDatabase postgres, KafkaCluster kafka, Path directory, String... extraConfig) {
            this.postgres = postgres;
            this.kafka = kafka;
            this.directory = directory;
            postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, note text)");
            topic = kafka.createTopic(TestNames.unique("failover"), 3);
            ServiceConfig service = ServiceConfig.of(postgres, kafka).publication(table + "_pub", true)
                    .slot(TestNames.unique("failover"), true).table(table, topic);
            for (String line : extraConfig) {
                service.with(line);
            }
            config = service.writeTo(directory);
            slot = new ReplicationSlot(postgres, service.slot());
            sampler = new WalsenderSampler(postgres, slot.name());
        }

        /** Starts an instance that must become active (nothing else streams). */
        PgcdcProcess startActive(String name) {
            PgcdcProcess process = start(name);
            process.awaitLogLine(ACTIVE_LINE, START_BOUND);
            slot.awaitStreamingBy(process, START_BOUND);
            return process;
        }

        /** Starts an instance that must stay passive (another one streams), with no error in its log. */
        PgcdcProcess startPassive(String name) {
            PgcdcProcess process = start(name);
            process.awaitLogLine(PASSIVE_LINE, START_BOUND);
            assertThat(process.isAlive()).as("%s alive while passive", process).isTrue();
            assertThat(process.stdout()).as("log of passive %s", process).doesNotContain(ACTIVE_LINE).doesNotContain(ERROR_LEVEL);
            return process;
        }

        private PgcdcProcess start(String name) {
            PgcdcProcess process = PgcdcProcess.run(config, directory, name);
            processes.add(process);
            return process;
        }

        void startLoad() {
            load = SteadyLoad.start(postgres, table);
            awaitRecords(TopicReader.of(kafka), 100);
        }

        void awaitRecords(TopicReader reader, long count) {
            await(count + " records in " + topic).atMost(START_BOUND).pollInterval(Duration.ofMillis(100))
                    .until(() -> reader.endOffsetSum(topic) >= count);
        }

        /** Waits until the topic holds more than {@code offsets} records (a new instance writes); when that was. */
        long awaitNewRecords(TopicReader reader, long offsets) {
            await("a record after " + offsets + " in " + topic).atMost(START_BOUND).pollInterval(Duration.ofMillis(20))
                    .until(() -> reader.endOffsetSum(topic) > offsets);
            return System.nanoTime();
        }

        /**
         * Starts instance a (active) and b (passive) and the load, ends a with {@code how} (b takes over), starts a again
         * as a2 (passive), ends b likewise (a2 takes over); returns a2, the active instance.
         */
        PgcdcProcess overAndBack(String how, Function<PgcdcProcess, Runnable> end) {
            PgcdcProcess a = startActive("a");
            PgcdcProcess b = startPassive("b");
            startLoad();
            assertThat(takeOver(a, how, end.apply(a), List.of(b))).as("the instance that took over from a").isSameAs(b);
            PgcdcProcess a2 = startPassive("a2");
            assertThat(takeOver(b, how, end.apply(b), List.of(a2))).as("the instance that took over from b").isSameAs(a2);
            return a2;
        }

        /**
         * Ends {@code active} with {@code how} and waits until one of {@code survivors} streams from the slot
         * (and says so in its log); logs the takeover's time and returns the new active instance.
         */
        PgcdcProcess takeOver(PgcdcProcess active, String how, Runnable end, List<PgcdcProcess> survivors) {
            int oldPid = sampler.holderPid();
            assertThat(oldPid).as("a walsender on slot %s before the %s", slot.name(), how).isNotZero();
            TopicReader reader = TopicReader.of(kafka);
            long ended = System.nanoTime();
            end.run();
            long offsetsAfterEnd = reader.endOffsetSum(topic);
            await("a survivor streams from " + slot.name() + " after " + how + " of " + active).atMost(START_BOUND)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> sampler.firstHeldByAnotherAfter(ended, oldPid) >= 0);
            long firstRecord = awaitNewRecords(reader, offsetsAfterEnd);
            long free = sampler.firstFreeAfter(ended);
            long held = sampler.firstHeldByAnotherAfter(ended, oldPid);
            long slotFreeFor = TimeUnit.NANOSECONDS.toMillis(held - free);
            LOG.info("takeover after {} of {}: slot free for {} ms (old walsender gone {} ms after the {}), first record {} ms after the"
                    + " slot was free, {} ms after the {}", how, active, slotFreeFor, TimeUnit.NANOSECONDS.toMillis(free - ended), how,
                    TimeUnit.NANOSECONDS.toMillis(firstRecord - free), TimeUnit.NANOSECONDS.toMillis(firstRecord - ended), how);
            assertThat(Duration.ofMillis(slotFreeFor)).as("slot without a walsender after the %s", how).isLessThan(TAKEOVER_BOUND);
            List<PgcdcProcess> active2 = survivors.stream().filter(p -> p.stdout().contains(ACTIVE_LINE)).toList();
            assertThat(active2).as("survivors that became active").hasSize(1);
            LOG.info("takeover after {} of {}: the steps of {}, ms after the slot was free (first record at {} ms):\n{}", how, active,
                    active2.get(0), TimeUnit.NANOSECONDS.toMillis(firstRecord - free),
                    TakeoverTimeline.of(active2.get(0).stdout(), ended, free));
            for (PgcdcProcess survivor : survivors) {
                assertThat(survivor.isAlive()).as("%s alive", survivor).isTrue();
                assertThat(survivor.stdout()).as("log of %s", survivor).doesNotContain(ERROR_LEVEL);
            }
            return active2.get(0);
        }

        /** Stops the load, waits until {@code active} confirmed all of it, and reads the topic. */
        List<ChangeRecord> finishLoadAndRead(TopicReader reader, PgcdcProcess active) {
            lastId = load.stop();
            Lsn end = ReplicationSlot.currentWalLsn(postgres);
            slot.awaitConfirmed(end, active, Duration.ofSeconds(120));
            List<ChangeRecord> records = reader.readAll(topic);
            LOG.info("{} rows inserted, {} records in {}", lastId, records.size(), topic);
            return records;
        }

        Set<Integer> finishLoadAndReadIds(TopicReader reader, PgcdcProcess active) {
            return finishLoadAndRead(reader, active).stream().map(r -> r.after().get("id").asInt()).collect(Collectors.toCollection(TreeSet::new));
        }

        /** The ids 1 to the last inserted that {@code ids} lacks. */
        List<Integer> missing(Set<Integer> ids) {
            return IntStream.rangeClosed(1, lastId).filter(id -> !ids.contains(id)).boxed().toList();
        }

        @Override
        public void close() {
            if (load != null) {
                load.close();
            }
            processes.forEach(PgcdcProcess::close);
            sampler.close();
            slot.drop();
        }
    }
}
