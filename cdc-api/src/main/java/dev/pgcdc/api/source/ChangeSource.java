package dev.pgcdc.api.source;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.position.StreamOrigin;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where change events come from: the PostgreSQL replication stream, a snapshot, or a user's own
 * source. A source emits events in stream order with strictly increasing positions, and learns
 * through {@link #acknowledge} which of them are durable downstream; it may only tell its upstream
 * (PostgreSQL) that a position is processed once every earlier event is acknowledged.
 *
 * <p>Lifecycle and threading: one owner (usually the {@code Pipeline}) calls {@link #start}, then
 * {@link #poll} and {@link #keepAlive} from a single thread, then {@link #close}. {@link #acknowledge}
 * may be called from any thread, at any time between {@code start} and {@code close}, in any order.
 */
public interface ChangeSource extends AutoCloseable {

    /** Connects and prepares to emit; throws a {@link dev.pgcdc.api.CdcException} that says what is wrong otherwise. */
    void start();

    /**
     * Returns the next events, at most {@code maxEvents}, waiting up to {@code timeout} for the first
     * one; an empty list when none arrived in time. Also does the source's periodic duties (status
     * updates, keepalive replies, reconnects).
     *
     * @throws dev.pgcdc.api.CdcException when the source failed for good (e.g. a decode error)
     */
    List<ChangeEvent> poll(int maxEvents, Duration timeout) throws InterruptedException;

    /**
     * Called instead of {@link #poll} while the consumer cannot take more events (backpressure), at
     * least once per status interval: do the periodic duties without reading new events.
     */
    default void keepAlive() {
    }

    /**
     * Whether every transaction whose events {@link #poll} handed out has also ended (its last event
     * was handed out and its end is known), so that a stop now leaves no transaction half-written.
     * The owner keeps polling on a stop until this holds, bounded by its shutdown timeout. Sources
     * without transactions keep the default, {@code true}. Poll thread.
     */
    default boolean isBetweenTransactions() {
        return true;
    }

    /**
     * The origin of this source's positions (for PostgreSQL: the cluster's system identifier, its
     * timeline, its WAL end), known once {@link #start} returned; empty for sources without one.
     */
    default Optional<StreamOrigin> origin() {
        return Optional.empty();
    }

    /**
     * Whether this source will hand out no more events: a finite source (a {@code snapshot_only}
     * snapshot) that has handed out its last event and has nothing left to wait for. The owner asks
     * after a {@link #poll} that returned nothing; on {@code true} it drains what is in flight and
     * ends as after a stop, without a failure. Streaming sources keep the default, {@code false}.
     * Poll thread.
     */
    default boolean isExhausted() {
        return false;
    }

    /** Marks the event at {@code position} durable downstream. Thread-safe. */
    void acknowledge(Position position);

    /** Stops: reports the final acknowledged position upstream where it can and releases every resource. Idempotent. */
    @Override
    void close();
}
