package dev.pgcdc.api.runtime;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.sink.Sink;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** A sink that keeps writes pending until the test confirms or fails them (or confirms at once when told to). */
final class ControlledSink implements Sink {

    record Write(ChangeEvent event, List<OutRecord> records, WriteCallback callback) {
    }

    final ConcurrentLinkedQueue<Write> pending = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Write> written = new ConcurrentLinkedQueue<>();
    final AtomicInteger starts = new AtomicInteger();
    volatile boolean confirmImmediately;
    /** What {@link #startsBeforeTheSource()} says. */
    volatile boolean startsEarly;
    volatile RuntimeException startError;
    volatile boolean closed;
    volatile Error flushError;
    Position committed;

    @Override
    public boolean startsBeforeTheSource() {
        return startsEarly;
    }

    @Override
    public void start() {
        starts.incrementAndGet();
        if (startError != null) {
            throw startError;
        }
    }

    @Override
    public void write(ChangeEvent event, List<OutRecord> records, WriteCallback callback) {
        Write write = new Write(event, records, callback);
        written.add(write);
        if (confirmImmediately) {
            callback.onDurable();
        } else {
            pending.add(write);
        }
    }

    /** Confirms the oldest pending write. */
    void confirmNext() {
        pending.remove().callback().onDurable();
    }

    void confirmAll() {
        Write write;
        while ((write = pending.poll()) != null) {
            write.callback().onDurable();
        }
    }

    @Override
    public void flush() {
        if (flushError != null) {
            throw flushError;
        }
    }

    @Override
    public Optional<Position> committedPosition() {
        return Optional.ofNullable(committed);
    }

    @Override
    public void close() {
        closed = true;
    }
}
