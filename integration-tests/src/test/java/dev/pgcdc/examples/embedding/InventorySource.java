package dev.pgcdc.examples.embedding;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.runtime.OrderedPositionTracker;
import dev.pgcdc.api.source.ChangeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Example user code: a source of one's own. The application calls {@link #stockChanged} (from any
 * thread); the pipeline polls the events and acknowledges them once Kafka has them; {@link
 * #durableUpTo} tells how far everything is durable, e.g. to delete processed input.
 */
public final class InventorySource implements ChangeSource {

    private static final TableId STOCK = new TableId("warehouse", "stock");
    private static final List<Column> COLUMNS = List.of(
            new Column("sku", 25, "text", -1, true),
            new Column("quantity", 23, "int4", -1, false));

    private final BlockingQueue<ChangeEvent> queue = new LinkedBlockingQueue<>(10_000);
    private final OrderedPositionTracker tracker = new OrderedPositionTracker();
    private long nextSequence = 1; // guarded by this

    /** Publishes a stock level; blocks while 10,000 events wait to be polled. */
    public synchronized void stockChanged(String sku, int quantity) throws InterruptedException {
        long sequence = nextSequence++;
        Lsn lsn = Lsn.of(sequence);
        Position position = new Position(lsn, 0);
        tracker.register(position);
        tracker.checkpoint(lsn);
        queue.put(ChangeEvent.builder(Operation.UPDATE)
                .table(STOCK)
                .after(new Row(COLUMNS, new Object[] {sku, quantity}))
                .commitLsn(lsn).lsn(lsn).commitTime(Instant.now())
                .position(position)
                .build());
    }

    /** The sequence number up to which every event is durable in the sink. */
    public long durableUpTo() {
        return tracker.confirmedLsn().value();
    }

    @Override
    public void start() {
    }

    @Override
    public List<ChangeEvent> poll(int maxEvents, Duration timeout) throws InterruptedException {
        ChangeEvent first = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (first == null) {
            return List.of();
        }
        List<ChangeEvent> events = new ArrayList<>();
        events.add(first);
        queue.drainTo(events, maxEvents - 1);
        return events;
    }

    @Override
    public void acknowledge(Position position) {
        tracker.acknowledge(position);
    }

    @Override
    public void close() {
    }
}
