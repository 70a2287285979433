package dev.pgcdc.api.runtime;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.pipeline.PipelineListener;
import dev.pgcdc.api.position.Position;

/**
 * The replay of events the sink has already committed (after an exactly-once restart): tells which
 * events to skip, reports each to the listener, and logs at INFO once when skipping starts (the
 * first position and the committed one) and once when it ends (how many, the last one), never per
 * event. Pipeline thread only.
 */
final class CommittedReplay {

    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

    private final String pipeline;
    private final PipelineListener listener;
    private Position committed; // null once the replay is over (positions only increase)
    private Position lastSkipped;
    private long skipped;

    CommittedReplay(String pipeline, Position committed, PipelineListener listener) {
        this.pipeline = pipeline;
        this.committed = committed;
        this.listener = listener;
    }

    /** Whether {@code event} is at or before the committed position: then it is counted and must be acknowledged unwritten. */
    boolean skips(ChangeEvent event) {
        if (committed == null) {
            return false;
        }
        Position position = event.position();
        if (position.isAfter(committed)) {
            end("resuming with " + position);
            return false;
        }
        if (skipped == 0) {
            LOG.log(System.Logger.Level.INFO, "pipeline " + pipeline + ": skipping events the sink has already committed, from "
                    + position + " up to the committed position " + committed);
        }
        skipped++;
        lastSkipped = position;
        listener.onSkippedAsCommitted(event);
        return true;
    }

    /** Ends the replay ({@code why} says how it ended); logs the count if anything was skipped. Idempotent. */
    void end(String why) {
        if (committed != null && skipped > 0) {
            LOG.log(System.Logger.Level.INFO, "pipeline " + pipeline + ": skipped " + skipped + " events as already committed, the last at "
                    + lastSkipped + " (committed position " + committed + "); " + why);
        }
        committed = null;
    }

    /** Events skipped so far. */
    long skipped() {
        return skipped;
    }
}
