package dev.pgcdc.api.runtime;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.HandlerException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.pipeline.PipelineListener;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.source.ChangeSource;
import java.time.Duration;
import java.util.ArrayList;
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
 * volume. Events whose position is at or before the position {@link Sink#resume} returns are
 * skipped (replays after an exactly-once restart): counted ({@link PipelineListener#onSkippedAsCommitted})
 * and logged when the skipping starts and ends.
 *
 * <p>Lifecycle: {@link #start()} starts the sink, then the source, and one thread, {@code pgcdc-pipeline-<name>},
 * that does all polling, handling and writing. An owner that must wait before the source may start
 * (a passive instance of a failover group, until it holds the slot) may call {@link #prepare()}
 * first: it starts the sink ahead, when the sink allows it ({@link Sink#startsBeforeTheSource()}),
 * so that {@link #start()} then only starts the source and the thread. The sink is still started
 * before the source either way; a sink prepared and never used ({@link #stop()} before
 * {@link #start()}) is closed by the stop. {@link #stop()} (from any thread) asks it to stop
 * at the end of a transaction: while {@link ChangeSource#isBetweenTransactions()} does not hold it
 * reads on, for at most three quarters of the shutdown timeout, and it never starts handling the
 * next transaction. Then it flushes the sink and waits for in-flight records, and closes handler,
 * sink and source, in that order, so the source reports the last acknowledged position. A failure
 * (source, handler under {@link dev.pgcdc.api.pipeline.ErrorPolicy#FAIL}, sink) ends the pipeline the same way, without
 * reading on; {@link #failure()} tells why. The shutdown timeout bounds all of it, counted from the
 * stop request or the failure: when it passes, the pipeline thread is interrupted (a sink blocked
 * in {@code write} or {@code flush} stops waiting) and closes what it has. A finite source that
 * reports {@link ChangeSource#isExhausted()} ends the pipeline the same way as a stop, without a
 * failure, and {@link #isExhausted()} tells so.
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
    private final ShutdownDeadline deadline;
    private final StopPoint stopPoint;

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
    private volatile boolean exhausted;
    /** Set when a stop ran out of time and the sink is closed without waiting: failures it reports then are expected. */
    private volatile boolean abandoning;
    private volatile Throwable failure;
    private volatile Thread thread;
    private CommittedReplay replay; // pipeline thread only (set before it starts)
    private boolean sinkStarted; // guarded by this
    private long startedNanos; // set by start, read by the pipeline thread it starts
    private boolean wroteFirst; // pipeline thread only

    public Pipeline(String name, ChangeSource source, ChangeHandler handler, Sink sink, PipelineSettings settings, PipelineListener listener) {
        this.name = Objects.requireNonNull(name, "name");
        this.source = Objects.requireNonNull(source, "source");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = listener == null ? PipelineListener.NONE : listener;
        this.deadline = new ShutdownDeadline(name, settings.shutdownTimeout());
        this.stopPoint = new StopPoint(name, source, deadline, settings.shutdownTimeout());
    }

    public Pipeline(String name, ChangeSource source, ChangeHandler handler, Sink sink) {
        this(name, source, handler, sink, PipelineSettings.defaults(), PipelineListener.NONE);
    }

    /**
     * Starts the sink ahead of the source when the sink allows it ({@link Sink#startsBeforeTheSource()}),
     * so that a later {@link #start()} has only the source and the thread left to start; does nothing
     * otherwise, and nothing after a stop (false). Called once, before {@link #start()}, on the thread that
     * then calls {@link #start()}. If the sink fails to start, it is closed, the pipeline counts as
     * ended and the exception is thrown.
     *
     * @return whether the sink is started now
     */
    public synchronized boolean prepare() {
        if (thread != null) {
            throw new IllegalStateException("pipeline " + name + " already started");
        }
        if (stopRequested || isTerminated()) {
            return false; // stopped (or failed to start) first: nothing to prepare for
        }
        if (sinkStarted || !sink.startsBeforeTheSource()) {
            return sinkStarted;
        }
        long began = System.nanoTime();
        try {
            sink.start();
        } catch (RuntimeException e) {
            abandonStart();
            throw e;
        }
        sinkStarted = true;
        LOG.log(System.Logger.Level.INFO, "pipeline " + name + ": sink started ahead of the source in " + millisSince(began) + " ms");
        return true;
    }

    /**
     * Starts the sink (unless {@link #prepare()} did), then the source, then tells the sink the
     * source's origin ({@link Sink#resume}), then starts the pipeline thread. If any step fails,
     * whatever started is closed and the exception is thrown.
     */
    public synchronized void start() {
        if (thread != null || stopRequested) {
            throw new IllegalStateException("pipeline " + name + (thread != null ? " already started" : " was stopped"));
        }
        startedNanos = System.nanoTime();
        long sinkMillis;
        long sourceMillis;
        try {
            if (!sinkStarted) {
                sink.start();
                sinkStarted = true;
            }
            sinkMillis = millisSince(startedNanos);
            long sourceStarted = System.nanoTime();
            source.start();
            sourceMillis = millisSince(sourceStarted);
            replay = new CommittedReplay(name, sink.resume(source.origin()).orElse(null), listener);
        } catch (RuntimeException e) {
            abandonStart();
            throw e;
        }
        Thread worker = new Thread(this::runLoop, "pgcdc-pipeline-" + name);
        thread = worker;
        worker.start();
        LOG.log(System.Logger.Level.INFO, "pipeline " + name + " started in " + millisSince(startedNanos) + " ms (sink " + sinkMillis
                + " ms, source " + sourceMillis + " ms)");
    }

    /** After a failed start: closes what was opened; the pipeline counts as ended. */
    private void abandonStart() {
        closeQuietly();
        terminated.countDown();
    }

    /**
     * Asks the pipeline to stop at the end of the current transaction and waits until it has
     * (bounded by the shutdown timeout plus closing). Any thread; a second call only waits again.
     */
    public void stop() {
        synchronized (this) {
            if (thread == null) {
                stopRequested = true; // never started (or failed to start): nothing to wait for
                if (sinkStarted && !isTerminated()) {
                    closeQuietly(sink, "sink"); // prepared ahead and never used: nothing was written to it
                }
                terminated.countDown();
                return;
            }
        }
        deadline.arm(thread, terminated);
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

    /** Whether the pipeline ended because its finite source had no more events ({@link ChangeSource#isExhausted()}). */
    public boolean isExhausted() {
        return exhausted;
    }

    /** Events handed to the sink and not yet durable. */
    public int inFlightEvents() {
        return inFlightEvents.get();
    }

    private void runLoop() {
        try {
            stream();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (!deadline.interruptedWorker()) {
                fail(new CdcException("pipeline " + name + " interrupted", e));
            }
        } catch (Throwable e) {
            if (deadline.interruptedWorker() && e instanceof RuntimeException) {
                // a write the deadline interrupted (KafkaProducer throws its own InterruptException): not durable, not acknowledged
                LOG.log(System.Logger.Level.WARNING, "pipeline " + name + ": stopped at the shutdown deadline: " + e);
            } else {
                fail(e);
            }
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

    /** Polls and processes until a failure, or a stop at the end of a transaction (or when the time to read on is over). */
    private void stream() throws InterruptedException {
        while (failure == null) {
            if (stopRequested && stopPoint.isReachedBeforePolling()) {
                return;
            }
            if (!hasCapacity()) {
                awaitProgress(() -> !hasCapacity());
                source.keepAlive();
                continue;
            }
            List<ChangeEvent> events = source.poll(settings.pollBatchSize(), settings.pollTimeout());
            if (events.isEmpty() && source.isExhausted()) {
                LOG.log(System.Logger.Level.INFO, "pipeline " + name + ": the source has no more events; draining and ending");
                exhausted = true;
                return;
            }
            for (ChangeEvent event : events) {
                if (!mayProcess(event)) {
                    return; // failed, or stopping here: the rest is read again after a restart
                }
                process(event);
            }
        }
    }

    private void process(ChangeEvent event) {
        Position position = event.position();
        stopPoint.processing(event);
        if (replay.skips(event)) {
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
        List<String> namedTopics = null; // none in the common case: no list then
        for (int i = 0; i < records.size(); i++) {
            OutRecord record = records.get(i);
            bytes += record.sizeInBytes();
            if (record.topic() != null) {
                if (namedTopics == null) {
                    namedTopics = new ArrayList<>(1);
                }
                namedTopics.add(record.topic());
            }
        }
        // the callback keeps the count and the named topics, not the records: their bytes would otherwise live
        // until Kafka acknowledges them, thousands of events' worth copied by every young collection
        final long recordBytes = bytes;
        final int recordCount = records.size();
        final List<String> topics = namedTopics == null ? List.of() : namedTopics;
        inFlightEvents.incrementAndGet();
        inFlightBytes.addAndGet(recordBytes);
        long writeStarted = System.nanoTime();
        if (!wroteFirst) {
            wroteFirst = true;
            LOG.log(System.Logger.Level.INFO, "pipeline " + name + ": first write to the sink " + millisSince(startedNanos)
                    + " ms after the start");
        }
        sink.write(event, records, new Sink.WriteCallback() {
            @Override
            public void onDurable() {
                // runs on the sink's thread: whatever the source or a listener throws fails the pipeline
                // here, and the in-flight count is released exactly once either way
                try {
                    source.acknowledge(event.position());
                    listener.onDurable(event, recordCount, topics, System.nanoTime() - writeStarted);
                } catch (RuntimeException | LinkageError e) {
                    fail(new CdcException("acknowledging " + describe(event) + " failed: " + e, e));
                } finally {
                    release(recordBytes);
                }
            }

            @Override
            public void onFailure(Throwable error) {
                try {
                    if (abandoning) {
                        // a record the stop gave up on (the sink closed without waiting for it): not durable,
                        // not acknowledged, sent again after a restart; the stop itself did not fail
                        LOG.log(System.Logger.Level.DEBUG, "pipeline " + name + ": " + describe(event) + " abandoned at the stop: " + error);
                        return;
                    }
                    fail(error instanceof CdcException ? error
                            : new CdcException("sink failed to write " + describe(event) + ": " + error, error));
                } finally {
                    release(recordBytes);
                }
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

    /**
     * Waits until {@code next} fits in the in-flight bounds; false, at once or while waiting, when the
     * pipeline failed, or is stopping and should stop before {@code next} (it starts a transaction, or
     * the time to read on is over): a stop ends a wait for capacity.
     */
    private boolean mayProcess(ChangeEvent next) throws InterruptedException {
        while (true) {
            if (failure != null || stopRequested && stopPoint.isReachedBefore(next)) {
                return false;
            }
            if (hasCapacity()) {
                return true;
            }
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
            deadline.arm(thread, terminated); // the drain after a failure is bounded too
        }
        signalProgress();
    }

    /**
     * Waits, until the shutdown deadline, for in-flight records so their positions are acknowledged
     * before the source closes; then lets the deadline interrupt nothing more.
     */
    private void drain() {
        if (replay != null) {
            replay.end("stopping");
        }
        deadline.arm(thread, terminated); // already armed by the stop or failure that ended the loop; else from now
        try {
            flushUntilTheDeadline();
        } finally {
            deadline.closing();
        }
        int left = inFlightEvents();
        if (left > 0) {
            LOG.log(System.Logger.Level.WARNING, "pipeline " + name + " stopped with " + left
                    + " events not confirmed by the sink; they will be sent again after a restart");
        }
    }

    private void flushUntilTheDeadline() {
        if (Thread.currentThread().isInterrupted()) {
            return; // interrupted already (at the deadline, or by whoever runs this thread): no time to wait
        }
        try {
            sink.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            if (deadline.interruptedWorker()) {
                return; // the deadline interrupted the flush (KafkaProducer's own InterruptException)
            }
            fail(e);
        }
        while (inFlightEvents() > 0 && !deadline.hasPassed() && failure == null) {
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
    }

    private void closeQuietly() {
        closeQuietly(handler, "handler");
        // Out of time: the sink is closed on an interrupted thread, which tells it not to wait for
        // records that are not durable (Sink#close), so a broker that is gone cannot stretch the
        // shutdown by the sink's own close timeout. The flag is cleared before the source closes, so
        // the source still sends its final status update.
        boolean outOfTime = deadline.hasPassed();
        if (outOfTime) {
            abandoning = stopRequested && failure == null;
            Thread.currentThread().interrupt();
        }
        try {
            closeQuietly(sink, "sink");
        } finally {
            if (outOfTime) {
                Thread.interrupted();
            }
        }
        closeQuietly(source, "source");
    }

    private void closeQuietly(AutoCloseable closeable, String what) {
        try {
            closeable.close();
        } catch (Exception | LinkageError e) { // a broken handler must not keep the source from reporting its position
            LOG.log(System.Logger.Level.WARNING, "closing the " + what + " of pipeline " + name + " failed", e);
        }
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    private static String describe(ChangeEvent event) {
        return event.operation() + (event.table() == null ? "" : " on " + event.table()) + " at " + event.position();
    }
}
