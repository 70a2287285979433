package dev.pgcdc.api.coordination;

import dev.pgcdc.api.event.TableId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The rows of a {@link Chunk}: a primary-key range, or a block range for tables without a key. */
public sealed interface ChunkRange {

    /**
     * Rows with key {@code > lower} (or from the start when empty) and {@code <= upper} (or to the
     * end when empty), keys compared as row values in key-column order; values as their text form.
     */
    record KeyRange(List<String> keyColumns, List<String> lower, List<String> upper) implements ChunkRange {
        public KeyRange {
            keyColumns = List.copyOf(keyColumns);
            lower = List.copyOf(lower);
            upper = List.copyOf(upper);
        }
    }

    /**
     * Rows whose ctid block is in {@code [fromBlock, toBlock)} of one heap: the chunk's table, or
     * {@code partition}, a leaf partition of it (a partitioned table has no heap of its own; ctids are
     * per partition). The rows still belong to the chunk's table: its events carry that table's name.
     */
    record BlockRange(long fromBlock, long toBlock, Optional<TableId> partition) implements ChunkRange {
        public BlockRange {
            if (fromBlock < 0 || toBlock < fromBlock) {
                throw new IllegalArgumentException("bad block range [" + fromBlock + ", " + toBlock + ")");
            }
            Objects.requireNonNull(partition, "partition");
        }

        /** Blocks of the chunk's table itself. */
        public BlockRange(long fromBlock, long toBlock) {
            this(fromBlock, toBlock, Optional.empty());
        }
    }
}
