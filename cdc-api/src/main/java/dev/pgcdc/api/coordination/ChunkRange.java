package dev.pgcdc.api.coordination;

import java.util.List;

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

    /** Rows whose ctid block is in {@code [fromBlock, toBlock)}. */
    record BlockRange(long fromBlock, long toBlock) implements ChunkRange {
        public BlockRange {
            if (fromBlock < 0 || toBlock < fromBlock) {
                throw new IllegalArgumentException("bad block range [" + fromBlock + ", " + toBlock + ")");
            }
        }
    }
}
