package dev.pgcdc.api.runtime;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The bound of a pipeline's shutdown: armed by the first stop request or failure, it passes one
 * shutdown timeout later. Until three quarters of it the pipeline may read on to the end of the
 * current transaction; the rest is left for in-flight records to become durable. When it passes and
 * the pipeline thread has not reached closing, a thread of its own ({@code pgcdc-pipeline-<name>-deadline})
 * interrupts the pipeline thread, so that a blocked {@code sink.write} or {@code sink.flush} (a
 * broker that is gone) cannot hold the shutdown longer. Thread-safe.
 */
final class ShutdownDeadline {

    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

    private final String pipeline;
    private final Duration timeout;
    // guarded by this
    private boolean armed;
    private boolean closing;
    private long readOnEndsAt;
    private long passesAt;
    private volatile boolean interrupted;

    ShutdownDeadline(String pipeline, Duration timeout) {
        this.pipeline = pipeline;
        this.timeout = timeout;
    }

    /** Arms the deadline, if not yet armed, to interrupt {@code worker} unless {@code terminated} is counted down first. Any thread. */
    void arm(Thread worker, CountDownLatch terminated) {
        synchronized (this) {
            if (armed) {
                return;
            }
            armed = true;
            long now = System.nanoTime();
            long nanos = timeout.toNanos();
            readOnEndsAt = now + nanos - nanos / 4;
            passesAt = now + nanos;
        }
        if (worker == null) {
            return;
        }
        Thread watchdog = new Thread(() -> interruptWhenPassed(worker, terminated), "pgcdc-pipeline-" + pipeline + "-deadline");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Whether the time to read on to the end of a transaction is over (false while not armed). */
    synchronized boolean readOnIsOver() {
        return armed && System.nanoTime() - readOnEndsAt >= 0;
    }

    /** Whether the whole deadline passed (false while not armed). */
    synchronized boolean hasPassed() {
        return armed && System.nanoTime() - passesAt >= 0;
    }

    /** Whether this deadline interrupted the pipeline thread. */
    boolean interruptedWorker() {
        return interrupted;
    }

    /** Called by the pipeline thread before it closes its parts: no interrupt after this; clears one this deadline delivered. */
    synchronized void closing() {
        closing = true;
        if (interrupted) {
            Thread.interrupted();
        }
    }

    private void interruptWhenPassed(Thread worker, CountDownLatch terminated) {
        try {
            long wait;
            synchronized (this) {
                wait = passesAt - System.nanoTime();
            }
            if (terminated.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            return;
        }
        synchronized (this) {
            if (closing) {
                return;
            }
            interrupted = true;
            LOG.log(System.Logger.Level.WARNING, "pipeline " + pipeline + ": shutdown-timeout (" + timeout.toMillis()
                    + " ms) passed; interrupting the pipeline to stop waiting for the sink");
            worker.interrupt();
        }
    }
}
