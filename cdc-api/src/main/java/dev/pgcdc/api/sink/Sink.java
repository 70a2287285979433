package dev.pgcdc.api.sink;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.position.StreamOrigin;
import java.util.List;
import java.util.Optional;

/**
 * Where output records go (Kafka, or a user's own store). A sink reports, per event, when all of
 * its records are durable; only then does the pipeline acknowledge the event's position to the
 * source. It must never report a record durable that is not, nor drop a record it failed to write:
 * a permanent failure is reported with {@link WriteCallback#onFailure}.
 *
 * <p>Threading: {@link #start}, {@link #write}, {@link #flush} and {@link #close} are called by one
 * owner thread; callbacks may run on any thread (e.g. a producer's I/O thread) and must be quick.
 */
public interface Sink extends AutoCloseable {

    /** Connects and checks the destination (topics exist, credentials work); throws a {@link dev.pgcdc.api.CdcException} otherwise. */
    void start();

    /**
     * Whether {@link #start} may run before the source holds its stream (a passive instance of a
     * failover group, waiting for the slot, starts such a sink while it waits, so that taking over
     * only starts the source). Say false when starting disturbs another instance that writes to the
     * same destination (a transactional producer fences the active instance's). A sink started
     * ahead and never used is closed, possibly from another thread than the one that started it
     * (after it, never at the same time). The default is false: the sink starts once the source has
     * its stream.
     */
    default boolean startsBeforeTheSource() {
        return false;
    }

    /**
     * Writes the records of one event, in order. May block while the sink's own buffers are full.
     * {@code callback} is called exactly once: when all records are durable, or with the failure.
     *
     * @param event   the event the records were made from (for topic routing, positions, errors)
     * @param records at least one record
     */
    void write(ChangeEvent event, List<OutRecord> records, WriteCallback callback);

    /** Blocks until every record written so far is durable or failed. */
    void flush() throws InterruptedException;

    /**
     * For sinks that store positions with the data (exactly-once): the last position whose records
     * are committed. Events at or before it are skipped when the stream is replayed after a restart.
     */
    default Optional<Position> committedPosition() {
        return Optional.empty();
    }

    /**
     * Called once by the owner after both the sink and the source started, before the first
     * {@link #write}: the origin of the positions that will be written. A sink that stores positions
     * stores {@code origin} with them from now on, and refuses (throws a
     * {@link dev.pgcdc.api.CdcException} that says what happened and how to reset) a stored position
     * that {@link StreamOrigin#conflictWith conflicts} with it. Returns the position to skip up to,
     * as {@link #committedPosition()}; the default does only that.
     *
     * @param origin the source's origin; empty when the source has none (nothing can be checked)
     */
    default Optional<Position> resume(Optional<StreamOrigin> origin) {
        return committedPosition();
    }

    /**
     * Releases resources; records not yet durable are not reported durable. Idempotent. The owner
     * calls it on an interrupted thread when its shutdown time is up: then release at once, without
     * waiting for records that are still outstanding.
     */
    @Override
    void close();

    /** Completion of one {@link #write}. */
    interface WriteCallback {
        /** Every record of the write is durable. */
        void onDurable();

        /** The write failed permanently; nothing after it may be acknowledged. */
        void onFailure(Throwable error);
    }
}
