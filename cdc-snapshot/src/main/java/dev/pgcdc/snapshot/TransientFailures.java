package dev.pgcdc.snapshot;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rides out short database outages of the snapshot's worker (a restart, a broken connection, too many
 * connections): such a failure is logged and retried with a growing pause, as long as the failures have
 * lasted less than the claim timeout (beyond it, this instance's claims are taken over anyway); any other
 * failure, or one that lasts longer, is rethrown. Worker thread only.
 */
final class TransientFailures {

    private static final Logger LOG = LoggerFactory.getLogger(TransientFailures.class);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(5);

    private final String jobId;
    private final Duration limit;
    private long firstFailureNanos = -1;
    private Duration pause = FIRST_PAUSE;

    TransientFailures(String jobId, Duration limit) {
        this.jobId = jobId;
        this.limit = limit;
    }

    /** A success: the next failure starts a new count. */
    void reset() {
        firstFailureNanos = -1;
        pause = FIRST_PAUSE;
    }

    /** Pauses before a retry of a transient failure; rethrows any other, or one lasting past the limit. */
    <E extends Exception> void onFailure(E failure) throws E, InterruptedException {
        if (!isTransient(failure)) {
            throw failure;
        }
        long now = System.nanoTime();
        if (firstFailureNanos < 0) {
            firstFailureNanos = now;
        } else if (now - firstFailureNanos > limit.toNanos()) {
            throw failure;
        }
        LOG.warn("snapshot job {}: the database failed ({}); retrying in {} ms (the chunk being read is read again)", jobId, failure.getMessage(),
                pause.toMillis());
        Thread.sleep(pause.toMillis());
        pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
    }

    /** A broken or refused connection, a server shutting down or out of connections, somewhere in the cause chain. */
    static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return state.startsWith("08") || state.startsWith("57P") || state.equals("53300");
            }
            if (cause instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
