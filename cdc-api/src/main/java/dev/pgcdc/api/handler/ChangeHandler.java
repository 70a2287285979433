package dev.pgcdc.api.handler;

import dev.pgcdc.api.event.ChangeEvent;
import java.util.List;

/**
 * Maps a change event to zero or more output records: the user's part of a pipeline. An empty list
 * filters the event out (it is acknowledged at once). Built by a {@link ChangeHandlerProvider}.
 *
 * <p>Threading: {@link #handle} is called from one thread at a time, in stream order; the handler
 * needs no synchronization of its own. An exception is handled by the pipeline's error policy
 * (fail, skip or dead-letter).
 */
@FunctionalInterface
public interface ChangeHandler extends AutoCloseable {

    /** The records for {@code event}, never {@code null}. */
    List<OutRecord> handle(ChangeEvent event) throws Exception;

    /** Releases what the handler holds; called once, after the last {@link #handle}. */
    @Override
    default void close() {
    }
}
