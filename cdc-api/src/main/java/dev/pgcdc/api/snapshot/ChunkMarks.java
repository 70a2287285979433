package dev.pgcdc.api.snapshot;

import dev.pgcdc.api.position.Position;
import java.util.Optional;

/**
 * Where a snapshot's chunks end in its event stream; implemented by the {@link Snapshotter} and given
 * to a {@link ChunkLedger}. Thread-safe: the sink asks on its owner thread while the snapshot reads on
 * its own. A chunk's end is known before its last event can be polled.
 */
public interface ChunkMarks {

    /** The chunk whose last event has {@code position}; empty when that event is not the last of a chunk. */
    Optional<ChunkMark> endingAt(Position position);
}
