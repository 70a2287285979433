package dev.pgcdc.coordination.snapshot;

import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.ChunkRange;
import dev.pgcdc.api.event.TableId;
import java.util.List;
import java.util.stream.LongStream;

/** Chunk plans for the tests: key ranges of one integer key, in chunk id order. */
final class Plans {
    static final TableId ORDERS = new TableId("public", "orders");

    private Plans() {
    }

    /** Chunks 1 to {@code count} of {@code table}, chunk n covering keys (10(n-1), 10n]. */
    static List<Chunk> keyChunks(String jobId, TableId table, int count) {
        return LongStream.rangeClosed(1, count).mapToObj(id -> keyChunk(jobId, table, id)).toList();
    }

    static Chunk keyChunk(String jobId, TableId table, long id) {
        List<String> lower = id == 1 ? List.of() : List.of(Long.toString(10 * (id - 1)));
        return new Chunk(jobId, id, table, new ChunkRange.KeyRange(List.of("id"), lower, List.of(Long.toString(10 * id))));
    }
}
