package dev.pgcdc.metrics.slot;

/**
 * Reads a replication slot's figures from the database ({@code pg_replication_slots} and
 * {@code pg_current_wal_lsn()}). A successful read doubles as the "PostgreSQL answers" check of
 * {@code /status}, so an implementation must bound how long it waits (connect and query timeouts).
 *
 * <p>Threading: called from the monitor thread and from HTTP threads, possibly at the same time;
 * implementations are thread-safe. Lifecycle: {@link #close} once, after the last read.
 */
public interface SlotStatistics extends AutoCloseable {

    /**
     * The slot's figures now; {@link SlotFigures#exists()} is false when there is no such slot.
     *
     * @throws dev.pgcdc.api.CdcException when PostgreSQL cannot be reached or does not answer in time
     */
    SlotFigures read();

    @Override
    default void close() {
    }
}
