package dev.pgcdc.postgres.pgoutput;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Reading the pgoutput wire types from a heap {@link ByteBuffer} (big-endian, as the protocol). */
final class ProtocolBuffers {

    /** 2000-01-01T00:00:00Z, PostgreSQL's epoch, in seconds since 1970. */
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;

    private ProtocolBuffers() {
    }

    /** A NUL-terminated UTF-8 string; leaves the buffer after the NUL. */
    static String readString(ByteBuffer buffer) {
        byte[] array = buffer.array();
        int base = buffer.arrayOffset();
        int start = base + buffer.position();
        int end = base + buffer.limit();
        int nul = start;
        while (nul < end && array[nul] != 0) {
            nul++;
        }
        if (nul == end) {
            throw new IllegalArgumentException("string without its terminating NUL");
        }
        buffer.position(nul + 1 - base);
        return new String(array, start, nul - start, StandardCharsets.UTF_8);
    }

    /** A TimestampTz: microseconds since 2000-01-01 UTC. */
    static Instant timestamp(long micros) {
        return Instant.ofEpochSecond(POSTGRES_EPOCH_SECONDS + Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }
}
