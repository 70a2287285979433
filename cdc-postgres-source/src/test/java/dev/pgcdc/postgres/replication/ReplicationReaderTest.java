package dev.pgcdc.postgres.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.runtime.OrderedPositionTracker;
import dev.pgcdc.postgres.pgoutput.RelationCache;
import dev.pgcdc.postgres.pgoutput.StreamedTransactions;
import dev.pgcdc.postgres.types.TypeCatalog;
import dev.pgcdc.postgres.types.TypeRegistry;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicationReaderTest {

    @TempDir
    Path spill;

    private final OrderedPositionTracker tracker = new OrderedPositionTracker(Lsn.of(0x50));
    private final List<ScriptedWalStream> streams = new ArrayList<>();
    private final List<Lsn> openedAt = new CopyOnWriteArrayList<>();
    private final List<ReplicationReader> readers = new ArrayList<>();

    private ReplicationReader reader(Duration statusInterval) {
        return reader(statusInterval, ReplicationReader.HAND_OFF_EVENTS);
    }

    private ReplicationReader reader(Duration statusInterval, int handOffEvents) {
        return reader(statusInterval, handOffEvents, ReplicationReader.HAND_OFF_BYTES);
    }

    private ReplicationReader reader(Duration statusInterval, int handOffEvents, long handOffBytes) {
        WalStreamOpener opener = start -> {
            openedAt.add(start);
            if (streams.size() < openedAt.size()) {
                throw new IllegalStateException("no scripted stream for open #" + openedAt.size());
            }
            return streams.get(openedAt.size() - 1);
        };
        ReplicationReader reader = new ReplicationReader("test_slot", opener, tracker, new RelationCache(new TypeRegistry(TypeCatalog.NONE),
                t -> true), new StreamedTransactions(1 << 20, spill, "pgcdc-test-"), statusInterval, Duration.ofMillis(10), Duration.ofMillis(40),
                () -> { }, handOffEvents, handOffBytes);
        readers.add(reader);
        return reader;
    }

    @AfterEach
    void closeReaders() {
        readers.forEach(ReplicationReader::close);
    }

    /** Polls until {@code count} events arrived (the reader thread decodes them meanwhile). */
    private static List<ChangeEvent> take(ReplicationReader reader, int count) throws InterruptedException {
        List<ChangeEvent> events = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (events.size() < count) {
            assertThat(System.nanoTime()).as("%d events within 10 s, got %s", count, events).isLessThan(deadline);
            events.addAll(reader.poll(count - events.size(), Duration.ofMillis(50)));
        }
        return events;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("within 10 s: %s", what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** A transaction of {@code rows} inserts into relation 1 committed at {@code commitLsn}, ending at commitLsn + 0x10. */
    private static ScriptedWalStream transaction(ScriptedWalStream stream, long commitLsn, int firstId, int rows) {
        stream.message(commitLsn - 0x40, message('B', out -> {
            out.writeLong(commitLsn);
            out.writeLong(0);
            out.writeInt((int) commitLsn);
        }));
        stream.message(commitLsn - 0x40, relation());
        for (int i = 0; i < rows; i++) {
            int id = firstId + i;
            stream.message(commitLsn - 0x30 + i, message('I', out -> {
                out.writeInt(1);
                out.writeByte('N');
                out.writeShort(1);
                out.writeByte('t');
                byte[] text = Integer.toString(id).getBytes(StandardCharsets.US_ASCII);
                out.writeInt(text.length);
                out.write(text);
            }));
        }
        return stream.message(commitLsn + 0x10, message('C', out -> {
            out.writeByte(0);
            out.writeLong(commitLsn);
            out.writeLong(commitLsn + 0x10);
            out.writeLong(0);
        }));
    }

    @Test
    void confirmsATransactionEndOnlyOnceAllItsEventsAndAllEarlierOnesAreAcknowledged() throws Exception {
        ScriptedWalStream stream = new ScriptedWalStream(Lsn.of(0x50));
        transaction(stream, 0x100, 1, 2);
        transaction(stream, 0x200, 3, 1);
        streams.add(stream);
        ReplicationReader reader = reader(Duration.ofHours(1));
        reader.start();
        List<ChangeEvent> events = take(reader, 3);
        assertThat(events).extracting(ChangeEvent::position).containsExactly(new Position(Lsn.of(0x100), 0), new Position(Lsn.of(0x100), 1),
                new Position(Lsn.of(0x200), 0));

        tracker.acknowledge(events.get(2).position());
        tracker.acknowledge(events.get(0).position());
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.of(0x50));
        tracker.acknowledge(events.get(1).position());
        await(() -> tracker.confirmedLsn().equals(Lsn.of(0x210)), "both transactions confirmed");
        reader.close();
        assertThat(stream.statusUpdates).as("a last status update on close").endsWith(Lsn.of(0x210));
        assertThat(stream.closed).isTrue();
    }

    @Test
    void confirmsOnCloseATransactionWhoseEventsWereAllHandedOutBeforeItsCommitArrived() throws Exception {
        ScriptedWalStream stream = new ScriptedWalStream(Lsn.of(0x50));
        copyWithGapBeforeMessage(transaction(new ScriptedWalStream(Lsn.INVALID), 0x100, 1, 1), stream, 3); // Begin, Relation, Insert | Commit
        streams.add(stream);
        ReplicationReader reader = reader(Duration.ofHours(1));
        reader.start();
        List<ChangeEvent> events = take(reader, 1);
        assertThat(events).extracting(ChangeEvent::position).containsExactly(new Position(Lsn.of(0x100), 0));
        tracker.acknowledge(events.get(0).position());

        reader.close();
        assertThat(stream.statusUpdates).as("the last status update confirms the acknowledged transaction").endsWith(Lsn.of(0x110));
    }

    @Test
    void confirmsNothingOnCloseOfATransactionWithEventsNotHandedOut() throws Exception {
        ScriptedWalStream stream = new ScriptedWalStream(Lsn.of(0x50));
        copyWithGapBeforeMessage(transaction(new ScriptedWalStream(Lsn.INVALID), 0x100, 1, 2), stream, 3); // Begin, Relation, Insert | Insert, Commit
        streams.add(stream);
        ReplicationReader reader = reader(Duration.ofHours(1));
        reader.start();
        List<ChangeEvent> events = take(reader, 1);
        assertThat(events).hasSize(1);
        tracker.acknowledge(events.get(0).position());
        await(() -> tracker.inFlight() == 1, "the second insert decoded and waiting to be taken");

        reader.close();
        assertThat(stream.statusUpdates).as("the second insert was never handed out").endsWith(Lsn.of(0x50));
    }

    @Test
    void handsOutACompleteTransactionWhileItsReadRoundWaitsForTheNextMessage() throws Exception {
        ScriptedWalStream stream = new ScriptedWalStream(Lsn.of(0x50));
        CountDownLatch nextMessageArrives = new CountDownLatch(1);
        transaction(stream, 0x100, 1, 1).hold(nextMessageArrives);
        transaction(stream, 0x200, 2, 1);
        streams.add(stream);
        ReplicationReader reader = reader(Duration.ofHours(1));
        reader.start();
        try {
            // the reader is now inside a read that waits: the first transaction must not wait with it
            assertThat(take(reader, 1)).extracting(ChangeEvent::position).containsExactly(new Position(Lsn.of(0x100), 0));
        } finally {
            nextMessageArrives.countDown();
        }
        assertThat(take(reader, 1)).extracting(ChangeEvent::position).containsExactly(new Position(Lsn.of(0x200), 0));
    }

    /** Copies every message of {@code from} into {@code to}, with a gap (nothing pending) before message number {@code gapAt}. */
    private static void copyWithGapBeforeMessage(ScriptedWalStream from, ScriptedWalStream to, int gapAt) throws Exception {
        int index = 0;
        for (ByteBuffer message = from.readPending(); message != null; message = from.readPending()) {
            if (index++ == gapAt) {
                to.gap();
            }
            to.message(from.lastReceiveLsn().value(), message);
        }
    }

    @Test
    void confirmsTheServersWalEndWhileIdleSoTheSlotAdvances() throws Exception {
        ScriptedWalStream stream = new ScriptedWalStream(Lsn.of(0x50)).keepalive(0x9000);
        streams.add(stream);
        ReplicationReader reader = reader(Duration.ofMillis(20));
        reader.start();
        assertThat(reader.poll(10, Duration.ofMillis(100))).isEmpty();
        await(() -> stream.statusUpdates.contains(Lsn.of(0x9000)), "the WAL end confirmed");
    }

    @Test
    void confirmsTheWalEndBehindUnacknowledgedEventsOnlyOnceTheyAreAcknowledged() throws Exception {
        ScriptedWalStream stream = new ScriptedWalStream(Lsn.of(0x50));
        transaction(stream, 0x100, 1, 1).keepalive(0x9000);
        streams.add(stream);
        ReplicationReader reader = reader(Duration.ofMillis(20));
        reader.start();
        List<ChangeEvent> events = take(reader, 1);
        reader.poll(10, Duration.ofMillis(50));
        assertThat(stream.statusUpdates).doesNotContain(Lsn.of(0x110), Lsn.of(0x9000));
        tracker.acknowledge(events.get(0).position());
        await(() -> Lsn.of(0x9000).equals(stream.statusUpdates.get(stream.statusUpdates.size() - 1)), "the WAL end confirmed");
    }

    @Test
    void sendsStatusUpdatesEveryIntervalUnderContinuousLoad() throws Exception {
        ScriptedWalStream stream = endlessTransactions(new ScriptedWalStream(Lsn.of(0x50)));
        streams.add(stream);
        ReplicationReader reader = reader(Duration.ofMillis(50));
        reader.start();
        // under a load that never pauses, until both enough events and enough status updates went by (bounded generously for loaded machines)
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int events = 0;
        while (System.nanoTime() < deadline && (events <= 5000 || stream.statusUpdates.size() < 6)) {
            List<ChangeEvent> batch = reader.poll(500, Duration.ofMillis(100));
            batch.forEach(e -> tracker.acknowledge(e.position()));
            events += batch.size();
        }
        assertThat(events).isGreaterThan(5000);
        assertThat(stream.statusUpdates).hasSizeGreaterThanOrEqualTo(6);
        assertThat(stream.statusUpdates.get(stream.statusUpdates.size() - 1)).isGreaterThan(Lsn.of(0x1000));
    }

    @Test
    void resumesAfterALostConnectionFromTheConfirmedPositionWithoutLosingOrRepeatingEvents() throws Exception {
        ScriptedWalStream first = new ScriptedWalStream(Lsn.of(0x50));
        transaction(first, 0x100, 1, 3);
        // the second transaction breaks off after two of its four rows
        ScriptedWalStream partial = new ScriptedWalStream(Lsn.INVALID);
        transaction(partial, 0x200, 4, 4);
        for (int i = 0; i < 4; i++) {
            first.message(partial.lastReceiveLsn().value(), partial.readPending());
        }
        first.failure("57P01");
        ScriptedWalStream second = new ScriptedWalStream(Lsn.of(0x110));
        transaction(second, 0x200, 4, 4);
        transaction(second, 0x300, 8, 1);
        streams.add(first);
        streams.add(second);
        ReplicationReader reader = reader(Duration.ofHours(1));
        reader.start();

        List<ChangeEvent> before = take(reader, 5);
        assertThat(before).extracting(e -> e.after().value("id")).containsExactly(1, 2, 3, 4, 5);
        before.subList(0, 3).forEach(e -> tracker.acknowledge(e.position()));

        List<ChangeEvent> after = take(reader, 3);
        assertThat(openedAt).containsExactly(Lsn.of(0x50), Lsn.of(0x110));
        assertThat(after).extracting(e -> e.after().value("id")).containsExactly(6, 7, 8);
        assertThat(after.get(0).position()).isEqualTo(new Position(Lsn.of(0x200), 2));
        assertThat(reader.reconnects()).isEqualTo(1);

        before.subList(3, 5).forEach(e -> tracker.acknowledge(e.position()));
        after.forEach(e -> tracker.acknowledge(e.position()));
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.of(0x310));
    }

    @Test
    void failsOnAPermanentError() throws Exception {
        ScriptedWalStream stream = new ScriptedWalStream(Lsn.of(0x50)).failure("42704");
        streams.add(stream);
        ReplicationReader reader = reader(Duration.ofHours(1));
        reader.start();
        assertThatThrownBy(() -> reader.poll(10, Duration.ofSeconds(10))).isInstanceOf(SourceException.class)
                .hasMessageContaining("test_slot").hasMessageContaining("scripted failure");
    }

    /** An endless stream of 50-row transactions, 0x1000 apart. */
    private static ScriptedWalStream endlessTransactions(ScriptedWalStream stream) {
        long[] next = {0x1000};
        List<Object[]> pendingSteps = new ArrayList<>();
        return stream.thenEndless(() -> {
            if (pendingSteps.isEmpty()) {
                ScriptedWalStream chunk = new ScriptedWalStream(Lsn.INVALID);
                transaction(chunk, next[0], 1, 50);
                next[0] += 0x1000;
                try {
                    for (ByteBuffer message = chunk.readPending(); message != null; message = chunk.readPending()) {
                        pendingSteps.add(new Object[] {chunk.lastReceiveLsn().value(), message});
                    }
                } catch (java.sql.SQLException e) {
                    throw new AssertionError(e);
                }
            }
            return pendingSteps.remove(0);
        });
    }

    @Test
    void keepsSendingStatusUpdatesWhileNobodyPollsAndHoldsNoMoreThanTheHandOffBound() throws Exception {
        ScriptedWalStream stream = endlessTransactions(new ScriptedWalStream(Lsn.of(0x50)));
        streams.add(stream);
        ReplicationReader reader = reader(Duration.ofMillis(20), 100);
        reader.start();
        List<ChangeEvent> first = take(reader, 50);
        first.forEach(e -> tracker.acknowledge(e.position()));

        // the consumer stalls: the reader fills the hand-off, stops reading, and keeps reporting the confirmed LSN
        await(() -> reader.bufferedEvents() == 100, "the hand-off full");
        int updatesBefore = stream.statusUpdates.size();
        await(() -> stream.statusUpdates.size() >= updatesBefore + 5, "status updates while nobody polls");
        assertThat(reader.bufferedEvents()).isEqualTo(100);
        assertThat(tracker.inFlight()).as("registered, not acknowledged: the hand-off's events only").isEqualTo(100);
        assertThat(stream.statusUpdates.subList(updatesBefore, stream.statusUpdates.size())).containsOnly(Lsn.of(0x1010));

        List<ChangeEvent> next = take(reader, 150);
        assertThat(next.get(0).position()).isEqualTo(new Position(Lsn.of(0x2000), 0));
        assertThat(next).extracting(ChangeEvent::position).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void holdsWideRowsUpToTheHandOffsBytesNotItsEventCount() throws Exception {
        int width = 8 * 1024;
        ScriptedWalStream stream = new ScriptedWalStream(Lsn.of(0x50));
        stream.message(0x60, message('B', out -> {
            out.writeLong(0x1000);
            out.writeLong(0);
            out.writeInt(0x1000);
        }));
        stream.message(0x60, relation(2, "wide", "body", 25)); // text
        for (int i = 0; i < 50; i++) {
            char fill = (char) ('a' + i % 26);
            stream.message(0x100 + i, message('I', out -> {
                out.writeInt(2);
                out.writeByte('N');
                out.writeShort(1);
                out.writeByte('t');
                out.writeInt(width);
                out.write(String.valueOf(fill).repeat(width).getBytes(StandardCharsets.US_ASCII));
            }));
        }
        stream.message(0x1000, message('C', out -> {
            out.writeByte(0);
            out.writeLong(0x1000);
            out.writeLong(0x1010);
            out.writeLong(0);
        }));
        streams.add(stream);
        long handOffBytes = 64 * 1024;
        ReplicationReader reader = reader(Duration.ofMillis(20), 1000, handOffBytes);
        reader.start();

        // nobody polls: the reader stops once the queued rows' bytes reach the bound, far below 1000 events
        await(() -> reader.bufferedEvents() > 0, "the first wide rows handed off");
        int updatesBefore = stream.statusUpdates.size();
        await(() -> stream.statusUpdates.size() >= updatesBefore + 5, "status updates while nobody polls");
        int perEvent = EventBytes.PER_EVENT + width;
        assertThat(reader.bufferedEvents()).as("events of %d bytes and more under a bound of %d", perEvent, handOffBytes)
                .isBetween(1, (int) (handOffBytes / perEvent) + 1);

        // taking them makes room: every row arrives, once, in order, whole
        List<ChangeEvent> all = take(reader, 50);
        assertThat(all).extracting(ChangeEvent::position).isSorted().doesNotHaveDuplicates();
        assertThat(all).allSatisfy(event -> assertThat((String) event.after().value(0)).hasSize(width));
        assertThat(all.get(49).after().value(0)).isEqualTo("x".repeat(width));
    }

    @Test
    void isBetweenTransactionsOnlyOnceTheCommitOfEveryTakenEventIsTakenAndThenPollsFinishTheOpenTransactionOnly() throws Exception {
        ScriptedWalStream stream = new ScriptedWalStream(Lsn.of(0x50));
        transaction(stream, 0x100, 1, 3);
        transaction(stream, 0x200, 4, 2);
        streams.add(stream);
        ReplicationReader reader = reader(Duration.ofHours(1));
        assertThat(reader.isBetweenTransactions()).isTrue();
        reader.start();
        await(() -> reader.bufferedEvents() == 5, "both transactions decoded");
        assertThat(reader.poll(1, Duration.ofSeconds(10))).extracting(e -> e.after().value("id")).containsExactly(1);
        assertThat(reader.isBetweenTransactions()).as("one of three events taken").isFalse();
        // a stop in progress: polls end at the open transaction's end instead of starting the next one
        assertThat(reader.poll(100, Duration.ofSeconds(10))).extracting(e -> e.after().value("id")).containsExactly(2, 3);
        assertThat(reader.isBetweenTransactions()).isTrue();
        assertThat(reader.poll(100, Duration.ofSeconds(10))).extracting(e -> e.after().value("id")).containsExactly(4, 5);
        assertThat(reader.isBetweenTransactions()).isTrue();
    }

    @Test
    void handsOutTheEventsDecodedBeforeAFailureThenThrowsIt() throws Exception {
        ScriptedWalStream stream = new ScriptedWalStream(Lsn.of(0x50));
        transaction(stream, 0x100, 1, 2).failure("42501");
        streams.add(stream);
        ReplicationReader reader = reader(Duration.ofHours(1));
        reader.start();
        assertThat(take(reader, 2)).extracting(e -> e.after().value("id")).containsExactly(1, 2);
        assertThatThrownBy(() -> reader.poll(10, Duration.ofSeconds(10))).isInstanceOf(SourceException.class)
                .hasMessageContaining("test_slot").hasRootCauseInstanceOf(java.sql.SQLException.class);
    }

    @Test
    void readsOnItsOwnNamedThreadAndStopsItOnClose() throws Exception {
        ScriptedWalStream stream = new ScriptedWalStream(Lsn.of(0x50)).keepalive(0x70);
        streams.add(stream);
        ReplicationReader reader = reader(Duration.ofHours(1));
        reader.start();
        assertThat(readerThreads()).hasSize(1);
        // the reader thread reads the keepalive on its own time: close once it has
        await(() -> stream.lastReceiveLsn().equals(Lsn.of(0x70)), "the keepalive read");
        reader.close();
        assertThat(readerThreads()).isEmpty();
        assertThat(stream.statusUpdates).as("the last status update").containsExactly(Lsn.of(0x70));
        assertThat(stream.closed).isTrue();
        assertThat(reader.poll(10, Duration.ofSeconds(10))).as("after close: nothing, at once").isEmpty();
    }

    private static List<Thread> readerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("pgcdc-source-test_slot") && t.isAlive()).toList();
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static ByteBuffer message(char type, Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(type);
            body.write(out);
            return ByteBuffer.wrap(bytes.toByteArray());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static ByteBuffer relation() {
        return relation(1, "items", "id", 23);
    }

    /** Relation {@code id}: {@code public.<table>} with one key column of type {@code typeOid}. */
    private static ByteBuffer relation(int id, String table, String column, int typeOid) {
        return message('R', out -> {
            out.writeInt(id);
            out.write(("public\0" + table + "\0").getBytes(StandardCharsets.US_ASCII));
            out.writeByte('d');
            out.writeShort(1);
            out.writeByte(1);
            out.write((column + "\0").getBytes(StandardCharsets.US_ASCII));
            out.writeInt(typeOid);
            out.writeInt(-1);
        });
    }
}
