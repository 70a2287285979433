package dev.pgcdc.api.runtime;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.source.ChangeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** A source that emits a fixed list of inserts and records what the pipeline does with them. */
final class ScriptedSource implements ChangeSource {

    final List<ChangeEvent> events = new ArrayList<>();
    final ConcurrentLinkedQueue<Position> acknowledged = new ConcurrentLinkedQueue<>();
    final AtomicInteger emitted = new AtomicInteger();
    final AtomicInteger keepAlives = new AtomicInteger();
    volatile boolean started;
    volatile boolean closed;
    /** When set, the source reports itself exhausted once every event was handed out. */
    volatile boolean finite;

    ScriptedSource(int count) {
        for (int i = 0; i < count; i++) {
            Lsn lsn = Lsn.of(1000L + i * 10L);
            events.add(ChangeEvent.builder(Operation.INSERT)
                    .table(new TableId("public", "t"))
                    .after(Row.of(Map.of("id", i)))
                    .commitLsn(lsn)
                    .position(new Position(lsn, 0))
                    .build());
        }
    }

    @Override
    public void start() {
        started = true;
    }

    @Override
    public List<ChangeEvent> poll(int maxEvents, Duration timeout) throws InterruptedException {
        int from = emitted.get();
        if (from >= events.size()) {
            Thread.sleep(Math.min(timeout.toMillis(), 5));
            return List.of();
        }
        int to = Math.min(events.size(), from + maxEvents);
        emitted.set(to);
        return events.subList(from, to);
    }

    @Override
    public boolean isExhausted() {
        return finite && emitted.get() >= events.size();
    }

    @Override
    public void keepAlive() {
        keepAlives.incrementAndGet();
    }

    @Override
    public void acknowledge(Position position) {
        acknowledged.add(position);
    }

    @Override
    public void close() {
        closed = true;
    }
}
