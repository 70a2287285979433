package dev.pgcdc.api.pipeline;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.HandlerException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.source.ChangeSource;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Moves events from a {@link ChangeSource} through a {@link ChangeHandler} to a {@link Sink} and
 * acknowledges each event's position to the source once the sink reports its records durable.
 *
 * <p>In-flight work is bounded by {@link PipelineSettings#maxInFlightEvents()} and
 * {@link PipelineSettings#maxInFlightBytes()}: when the sink falls behind, the pipeline stops
 * polling (calling {@link ChangeSource#keepAlive()} instead), so memory stays flat whatever the
 * volume. Events whose position is at or before the sink's {@link Sink#committedPosition()} are
 * skipped (replays after an exactly-once restart).
 *
 * <p>Lifecycle: {@link #start()} starts the source and sink and one thread, {@code pgcdc-pipeline-<name>},
 * that does all polling, handling and writing; {@link #stop()} (from any thread) ends polling,
 * waits up to the shutdown timeout for in-flight records, then closes handler, sink and source, in
 * that order, so the source reports the last acknowledged position. A failure (source, handler under
 * {@link ErrorPolicy#FAIL}, sink) ends the pipeline the same way; {@link #failure()} tells why.
 */
public final class Pipeline implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());
    private static final long KEEPALIVE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final String name;
    private final ChangeSource source;
    private final ChangeHandler handler;
    private final Sink sink;
    private final PipelineSettings settings;
    private final PipelineListener listener;

    // In-flight counts are atomics, changed per event by the pipeline thread and the sink's callbacks
    // without a lock; the lock only serves a thread that waits for progress (awaitProgress), and a
    // release signals only while one waits.
    private final AtomicInteger inFlightEvents = new AtomicInteger();
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private volatile int waiting; // written under lock

    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile Throwable failure;
    private volatile Thread thread;
    private Position skipUpTo;

    public Pipeline(String name, ChangeSource source, ChangeHandler handler, Sink sink, PipelineSettings settings, PipelineListener listener) {
        this.name = Objects.requireNonNull(name, "name");
        this.source = Objects.requireNonNull(source, "source");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = listener == null ? PipelineListener.NONE : listener;
    }

    public Pipeline(String name, ChangeSource source, ChangeHandler handler, Sink sink) {
        this(name, source, handler, sink, PipelineSettings.defaults(), PipelineListener.NONE);
    }

    /**
     * Starts the sink, then the source, then tells the sink the source's origin ({@link Sink#resume}),
     * then starts the pipeline thread. If any step fails, whatever started is closed and the
     * exception is thrown.
     */
    public synchronized void start() {
        if (thread != null || stopRequested) {
            throw new IllegalStateException("pipeline " + name + (thread != null ? " already started" : " was stopped"));
        }
        try {
            sink.start();
            source.start();
            skipUpTo = sink.resume(source.origin()).orElse(null);
        } catch (RuntimeException e) {
            closeQuietly();
            terminated.countDown();
            throw e;
        }
        Thread worker = new Thread(this::runLoop, "pgcdc-pipeline-" + name);
        thread = worker;
        worker.start();
    }

    /** Asks the pipeline to stop and waits until it has (bounded by the shutdown timeout plus closing). Any thread. */
    public void stop() {
        synchronized (this) {
            if (thread == null) {
                stopRequested = true; // never started (or failed to start): nothing to wait for
                terminated.countDown();
                return;
            }
        }
        stopRequested = true;
        signalProgress();
        try {
            awaitTermination(settings.shutdownTimeout().plusSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Waits for the pipeline thread to end; true if it has. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Whether the pipeline thread has ended (stopped or failed). */
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    /** Why the pipeline stopped, if it failed. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Events handed to the sink and not yet durable. */
    public int inFlightEvents() {
        return inFlightEvents.get();
    }

    private void runLoop() {
        try {
            while (!stopRequested && failure == null) {
                if (!hasCapacity()) {
                    awaitProgress(() -> !hasCapacity());
                    source.keepAlive();
                    continue;
                }
                List<ChangeEvent> events = source.poll(settings.pollBatchSize(), settings.pollTimeout());
                for (ChangeEvent event : events) {
                    waitForCapacity();
                    if (failure != null) {
                        break; // failed while waiting: handle and write nothing more
                    }
                    process(event);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new CdcException("pipeline " + name + " interrupted", e));
        } catch (Throwable e) {
            fail(e);
        } finally {
            // each step runs even if the one before it throws (an Error included), so stop() never waits in vain
            try {
                drain();
            } catch (Throwable e) {
                fail(e);
            } finally {
                try {
                    closeQuietly();
                } finally {
                    terminated.countDown();
                }
            }
        }
    }

    private void process(ChangeEvent event) {
        Position position = event.position();
        if (skipUpTo != null && !position.isAfter(skipUpTo)) {
            source.acknowledge(position);
            return;
        }
        List<OutRecord> records;
        long started = System.nanoTime();
        try {
            records = handler.handle(event);
            if (records == null) {
                throw new IllegalStateException("handler returned null instead of a list");
            }
        } catch (Exception e) {
            records = onHandlerError(event, e);
            if (records == null) {
                return;
            }
        }
        listener.onHandled(event, records.size(), System.nanoTime() - started);
        if (records.isEmpty()) {
            source.acknowledge(position);
            return;
        }
        write(event, records);
    }

    /** Records to write instead, or null when the event is settled (skipped or failed). */
    private List<OutRecord> onHandlerError(ChangeEvent event, Exception error) {
        listener.onHandlerError(event, error, settings.errorPolicy());
        switch (settings.errorPolicy()) {
            case SKIP -> {
                LOG.log(System.Logger.Level.WARNING, "handler failed on " + describe(event) + "; skipped (error-policy = skip)", error);
                source.acknowledge(event.position());
                return null;
            }
            case DEAD_LETTER -> {
                LOG.log(System.Logger.Level.WARNING, "handler failed on " + describe(event) + "; written to dead-letter topic "
                        + settings.deadLetterTopic(), error);
                return List.of(settings.deadLetterEncoder().encode(event, error, settings.deadLetterTopic()));
            }
            default -> {
                fail(new HandlerException("handler failed on " + describe(event) + ": " + error
                        + "; the event is not acknowledged, a restart resumes from it (or set pipeline.error-policy)", error));
                return null;
            }
        }
    }

    private void write(ChangeEvent event, List<OutRecord> records) {
        long bytes = 0;
        for (OutRecord record : records) {
            bytes += record.sizeInBytes();
        }
        final long recordBytes = bytes;
        inFlightEvents.incrementAndGet();
        inFlightBytes.addAndGet(recordBytes);
        long writeStarted = System.nanoTime();
        sink.write(event, records, new Sink.WriteCallback() {
            @Override
            public void onDurable() {
                source.acknowledge(event.position());
                release(recordBytes);
                listener.onDurable(event, records.size(), System.nanoTime() - writeStarted);
            }

            @Override
            public void onFailure(Throwable error) {
                fail(error instanceof CdcException ? error
                        : new CdcException("sink failed to write " + describe(event) + ": " + error, error));
                release(recordBytes);
            }
        });
    }

    private void release(long bytes) {
        inFlightEvents.decrementAndGet();
        inFlightBytes.addAndGet(-bytes);
        // read after the counts changed: a waiter either is counted here or sees the new counts (awaitProgress)
        if (waiting > 0) {
            signalProgress();
        }
    }

    private boolean hasCapacity() {
        return inFlightEvents.get() < settings.maxInFlightEvents() && inFlightBytes.get() < settings.maxInFlightBytes();
    }

    private void waitForCapacity() throws InterruptedException {
        while (!hasCapacity() && failure == null) {
            awaitProgress(() -> !hasCapacity());
            source.keepAlive();
        }
    }

    /**
     * Waits for a release, a failure or a stop, at most the keep-alive interval; not at all when
     * {@code blocked} no longer holds once this thread counts as waiting (the release that ended it
     * may have seen no waiter, and signalled nobody) or the pipeline failed.
     */
    private void awaitProgress(BooleanSupplier blocked) throws InterruptedException {
        lock.lock();
        try {
            waiting++;
            if (blocked.getAsBoolean() && failure == null) {
                progress.awaitNanos(KEEPALIVE_WAIT_NANOS);
            }
        } finally {
            waiting--;
            lock.unlock();
        }
    }

    private void signalProgress() {
        lock.lock();
        try {
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Keeps the first failure only: sink callbacks may fail from several threads at once. */
    private void fail(Throwable error) {
        boolean first;
        synchronized (terminated) {
            first = failure == null;
            if (first) {
                failure = error;
            }
        }
        if (first) {
            LOG.log(System.Logger.Level.ERROR, "pipeline " + name + " failed: " + error.getMessage(), error);
            listener.onFailure(error);
        }
        signalProgress();
    }

    /** Waits (bounded) for in-flight records so their positions are acknowledged before the source closes. */
    private void drain() {
        try {
            sink.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            fail(e);
        }
        long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
        while (inFlightEvents() > 0 && System.nanoTime() < deadline && failure == null) {
            try {
                awaitProgress(() -> inFlightEvents() > 0);
                source.keepAlive();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                return; // the source is broken; closing it is all that is left
            }
        }
        int left = inFlightEvents();
        if (left > 0) {
            LOG.log(System.Logger.Level.WARNING, "pipeline " + name + " stopped with " + left
                    + " events not confirmed by the sink; they will be sent again after a restart");
        }
    }

    private void closeQuietly() {
        closeQuietly(handler, "handler");
        closeQuietly(sink, "sink");
        closeQuietly(source, "source");
    }

    private void closeQuietly(AutoCloseable closeable, String what) {
        try {
            closeable.close();
        } catch (Exception | LinkageError e) { // a broken handler must not keep the source from reporting its position
            LOG.log(System.Logger.Level.WARNING, "closing the " + what + " of pipeline " + name + " failed", e);
        }
    }

    private static String describe(ChangeEvent event) {
        return event.operation() + (event.table() == null ? "" : " on " + event.table()) + " at " + event.position();
    }
}
