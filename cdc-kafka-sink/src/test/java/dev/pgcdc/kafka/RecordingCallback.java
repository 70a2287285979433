package dev.pgcdc.kafka;

import dev.pgcdc.api.sink.Sink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A write callback that records its outcome and counts how often it was called. */
class RecordingCallback implements Sink.WriteCallback {

    final String name;
    final List<String> journal;
    final AtomicInteger calls = new AtomicInteger();
    volatile boolean durable;
    volatile Throwable failure;

    RecordingCallback(String name, List<String> journal) {
        this.name = name;
        this.journal = journal;
    }

    RecordingCallback(String name) {
        this(name, new CopyOnWriteArrayList<>());
    }

    @Override
    public void onDurable() {
        calls.incrementAndGet();
        durable = true;
        journal.add(name + " durable");
    }

    @Override
    public void onFailure(Throwable error) {
        calls.incrementAndGet();
        failure = error;
        journal.add(name + " failed");
    }

    boolean settled() {
        return calls.get() > 0;
    }
}
