package dev.pgcdc.api.position;

/**
 * Keeps the positions that are in flight, in stream order, and tells the highest LSN below which
 * everything is durable: the LSN a source may confirm to PostgreSQL as flushed.
 *
 * <p>The source {@link #register registers} each event's position in stream order and marks
 * transaction ends with {@link #checkpoint}; whoever learns that an event is durable (a sink's
 * callback thread, in any order) calls {@link #acknowledge}. {@link #confirmedLsn} advances only
 * over a contiguous acknowledged prefix, so an acknowledgement that arrives early never exposes an
 * unacknowledged earlier event. Implementations are thread-safe.
 */
public interface PositionTracker {

    /** Adds an in-flight position; positions must be registered in strictly increasing order. */
    void register(Position position);

    /**
     * Declares that {@code lsn} may be confirmed once every position registered so far is
     * acknowledged (typically the end LSN of the transaction whose events were just registered, or
     * the server's WAL end when the stream is between transactions). With nothing in flight it
     * takes effect at once. Never moves the confirmed LSN backwards.
     */
    void checkpoint(Lsn lsn);

    /** Marks a registered position durable; may be called from any thread, in any order. */
    void acknowledge(Position position);

    /** The highest LSN that is safe to report as flushed; {@link Lsn#INVALID} before any. */
    Lsn confirmedLsn();

    /** Positions registered and not yet acknowledged. */
    int inFlight();

    /** Forgets every in-flight position (after a reconnect the stream is replayed from {@link #confirmedLsn}). */
    void reset();
}
