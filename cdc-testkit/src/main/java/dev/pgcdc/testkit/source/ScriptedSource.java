package dev.pgcdc.testkit.source;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.position.StreamOrigin;
import dev.pgcdc.api.runtime.OrderedPositionTracker;
import dev.pgcdc.api.source.ChangeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;

/**
 * A hand-written {@link ChangeSource} for tests: emits events {@code 1..count} made by a function,
 * each its own transaction, and keeps acknowledgements in an {@link OrderedPositionTracker} the way
 * the PostgreSQL source does, so {@link #confirmedLsn()} is what it would confirm to the server.
 * Can start after a given LSN (a replay from a slot's confirmed position) and pause between polls.
 */
public final class ScriptedSource implements ChangeSource {

    private final long count;
    private final LongFunction<ChangeEvent> events;
    private final OrderedPositionTracker tracker;
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final List<Position> acknowledgedPositions = Collections.synchronizedList(new ArrayList<>());
    private final Duration pause;
    private long next = 1;
    private volatile boolean closed;
    private volatile boolean started;
    private volatile StreamOrigin origin;

    /**
     * @param count        events {@code 1..count}
     * @param events       event {@code n}; its position must grow with {@code n}
     * @param startAfter   skip events whose commit LSN is at or before this (the slot's confirmed LSN)
     * @param pause        wait this long before each poll (to spread a load over time), or zero
     */
    public ScriptedSource(long count, LongFunction<ChangeEvent> events, Lsn startAfter, Duration pause) {
        this.count = count;
        this.events = events;
        this.tracker = new OrderedPositionTracker(startAfter);
        this.pause = pause;
        while (next <= count && !events.apply(next).commitLsn().isAfter(startAfter)) {
            next++;
        }
    }

    public ScriptedSource(long count, LongFunction<ChangeEvent> events) {
        this(count, events, Lsn.INVALID, Duration.ZERO);
    }

    /** Reports {@code origin} from {@link #origin()}, as the PostgreSQL source reports its cluster. */
    public ScriptedSource withOrigin(StreamOrigin origin) {
        this.origin = origin;
        return this;
    }

    @Override
    public Optional<StreamOrigin> origin() {
        return Optional.ofNullable(origin);
    }

    @Override
    public void start() {
        started = true;
    }

    @Override
    public List<ChangeEvent> poll(int maxEvents, Duration timeout) throws InterruptedException {
        if (!pause.isZero()) {
            Thread.sleep(pause.toMillis());
        }
        if (next > count) {
            Thread.sleep(Math.min(timeout.toMillis(), 20));
            return List.of();
        }
        List<ChangeEvent> batch = new ArrayList<>(Math.min(maxEvents, 1000));
        while (next <= count && batch.size() < maxEvents) {
            ChangeEvent event = events.apply(next++);
            tracker.register(event.position());
            tracker.checkpoint(event.commitLsn());
            batch.add(event);
        }
        return batch;
    }

    @Override
    public void acknowledge(Position position) {
        acknowledgedPositions.add(position);
        acknowledged.incrementAndGet();
        tracker.acknowledge(position);
    }

    @Override
    public void close() {
        closed = true;
    }

    public int acknowledgedCount() {
        return acknowledged.get();
    }

    public List<Position> acknowledgedPositions() {
        synchronized (acknowledgedPositions) {
            return List.copyOf(acknowledgedPositions);
        }
    }

    /** What the source would report to PostgreSQL as flushed: the end of the acknowledged prefix. */
    public Lsn confirmedLsn() {
        return tracker.confirmedLsn();
    }

    /** Events emitted so far (the last one's number). */
    public long emitted() {
        return next - 1;
    }

    public boolean isClosed() {
        return closed;
    }

    public boolean isStarted() {
        return started;
    }
}
