package dev.pgcdc.api.runtime;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.source.ChangeSource;
import java.time.Duration;

/**
 * Where a stopping pipeline stops reading: at the end of a transaction, so that a clean stop leaves
 * no transaction half-written to the sink (a restart would write that part again), or when the time
 * to read on to that end is over. A transaction ends when the source says every transaction it
 * handed out has ended, or when the next event has another commit LSN than the last one processed
 * (then it starts the next transaction, which is left for the restart). Logs the read-on once.
 * Pipeline thread only.
 */
final class StopPoint {

    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

    private final String pipeline;
    private final ChangeSource source;
    private final ShutdownDeadline deadline;
    private final Duration shutdownTimeout;
    private Lsn lastCommitLsn; // of the last event processed
    private boolean readingOn;
    private boolean timeUpLogged;

    StopPoint(String pipeline, ChangeSource source, ShutdownDeadline deadline, Duration shutdownTimeout) {
        this.pipeline = pipeline;
        this.source = source;
        this.deadline = deadline;
        this.shutdownTimeout = shutdownTimeout;
    }

    /** {@code event} is being processed. */
    void processing(ChangeEvent event) {
        lastCommitLsn = event.position().commitLsn();
    }

    /** Before polling, once a stop is requested: whether to stop now rather than read on. */
    boolean isReachedBeforePolling() {
        if (source.isBetweenTransactions()) {
            if (readingOn) {
                LOG.log(System.Logger.Level.INFO, "pipeline " + pipeline + ": stopping at the end of the transaction it was in");
            }
            return true;
        }
        if (isTimeUp()) {
            return true;
        }
        if (!readingOn) {
            readingOn = true;
            LOG.log(System.Logger.Level.INFO, "pipeline " + pipeline + ": stop requested in the middle of a transaction; reading on to its"
                    + " end (for at most three quarters of pipeline.shutdown-timeout = " + shutdownTimeout.toMillis() + " ms)");
        }
        return false;
    }

    /** Before processing {@code event}, once a stop is requested: whether to stop before it. */
    boolean isReachedBefore(ChangeEvent event) {
        if (lastCommitLsn == null || !lastCommitLsn.equals(event.position().commitLsn())) {
            if (readingOn) {
                LOG.log(System.Logger.Level.INFO, "pipeline " + pipeline + ": stopping at the end of the transaction it was in; the next one,"
                        + " from " + event.position() + ", is left for the restart");
            }
            return true;
        }
        return isTimeUp();
    }

    /** Whether the time to read on is over (the part of the open transaction already written will be written again). */
    boolean isTimeUp() {
        if (!deadline.readOnIsOver()) {
            return false;
        }
        if (!timeUpLogged) {
            timeUpLogged = true;
            LOG.log(System.Logger.Level.WARNING, "pipeline " + pipeline + ": the transaction at " + lastCommitLsn + " did not end within"
                    + " three quarters of pipeline.shutdown-timeout; the part of it already written will be written again after a restart");
        }
        return true;
    }
}
