package dev.pgcdc.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.snapshot.Snapshotter;
import dev.pgcdc.testkit.source.ScriptedSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SnapshotThenStreamTest {

    private static final Lsn POINT = Lsn.parse("1/100");

    /** A snapshot of {@code rows} events that completes once every one is acknowledged. */
    private static final class FakeSnapshot implements Snapshotter {
        final List<ChangeEvent> toEmit = new ArrayList<>();
        final List<Position> acknowledged = new ArrayList<>();
        final int emittedCount;
        boolean closed;

        FakeSnapshot(int rows) {
            emittedCount = rows;
            for (int i = 0; i < rows; i++) {
                toEmit.add(ChangeEvent.builder(Operation.READ).table(new TableId("public", "t")).after(Row.of(Map.of("id", i)))
                        .lsn(POINT).commitLsn(POINT).position(new Position(Lsn.of(POINT.value() - 1), i)).build());
            }
        }

        @Override
        public void start() {
        }

        @Override
        public List<ChangeEvent> poll(int maxEvents, Duration timeout) {
            List<ChangeEvent> batch = new ArrayList<>(toEmit.subList(0, Math.min(maxEvents, toEmit.size())));
            toEmit.subList(0, batch.size()).clear();
            return batch;
        }

        @Override
        public synchronized void acknowledge(Position position) {
            acknowledged.add(position);
        }

        @Override
        public synchronized boolean isComplete() {
            return toEmit.isEmpty() && acknowledged.size() == emittedCount;
        }

        @Override
        public Lsn consistentPoint() {
            return POINT;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static ChangeEvent streamed(long index, Lsn commit) {
        return ChangeEvent.builder(Operation.INSERT).table(new TableId("public", "t")).after(Row.of(Map.of("id", index)))
                .lsn(commit).commitLsn(commit).position(new Position(commit, 0)).build();
    }

    @Test
    void streamsOnlyAfterTheSnapshotIsCompleteAndRoutesAcknowledgementsByPosition() throws Exception {
        FakeSnapshot snapshot = new FakeSnapshot(3);
        AtomicInteger streamsCreated = new AtomicInteger();
        ScriptedSource stream = new ScriptedSource(2, i -> streamed(i, Lsn.of(POINT.value() + i)));
        try (SnapshotThenStream source = new SnapshotThenStream(snapshot, () -> {
            streamsCreated.incrementAndGet();
            return stream;
        })) {
            source.start();
            List<ChangeEvent> first = source.poll(10, Duration.ofMillis(10));
            assertThat(first).extracting(ChangeEvent::operation).containsOnly(Operation.READ).hasSize(3);
            assertThat(source.poll(10, Duration.ofMillis(10))).as("snapshot not acknowledged yet").isEmpty();
            assertThat(streamsCreated).hasValue(0);
            first.forEach(event -> source.acknowledge(event.position()));
            assertThat(snapshot.acknowledged).hasSize(3);
            List<ChangeEvent> next = source.poll(10, Duration.ofMillis(100));
            assertThat(streamsCreated).hasValue(1);
            assertThat(source.isStreaming()).isTrue();
            assertThat(snapshot.closed).isTrue();
            assertThat(next).isNotEmpty().allSatisfy(event -> assertThat(event.position()).isGreaterThan(first.get(2).position()));
            next.forEach(event -> source.acknowledge(event.position()));
            assertThat(stream.acknowledgedPositions()).containsExactlyElementsOf(next.stream().map(ChangeEvent::position).toList());
            assertThat(snapshot.acknowledged).hasSize(3);
        }
        assertThat(stream.isClosed()).isTrue();
    }

    @Test
    void aCompletedSnapshotStreamsAtOnce() throws Exception {
        FakeSnapshot snapshot = new FakeSnapshot(0);
        ScriptedSource stream = new ScriptedSource(1, i -> streamed(i, POINT));
        try (SnapshotThenStream source = new SnapshotThenStream(snapshot, () -> stream)) {
            source.start();
            assertThat(source.isStreaming()).isTrue();
            assertThat(stream.isStarted()).isTrue();
        }
    }

    @Test
    void aStreamThatStartsBeforeTheSnapshotsLastPositionIsRefused() throws Exception {
        FakeSnapshot snapshot = new FakeSnapshot(1);
        ScriptedSource stream = new ScriptedSource(1, i -> streamed(i, Lsn.of(POINT.value() - 1)));
        try (SnapshotThenStream source = new SnapshotThenStream(snapshot, () -> stream)) {
            source.start();
            source.poll(10, Duration.ofMillis(10)).forEach(event -> source.acknowledge(event.position()));
            assertThatThrownBy(() -> source.poll(10, Duration.ofMillis(100))).isInstanceOf(SourceException.class)
                    .hasMessageContaining("not after the snapshot's last");
        }
    }
}
