package dev.pgcdc.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The size of a chunk cursor's fetches after the first: about {@link ChunkReader#FETCH_BYTES} of rows, at least one. */
class ChunkReaderTest {

    @Test
    void smallRowsAreFetchedManyAtATime() {
        // 1000 rows of 128 bytes each (their text and the driver's overhead as estimated)
        assertThat(ChunkReader.fetchRows(128_000, 1000)).isEqualTo((int) (ChunkReader.FETCH_BYTES / 128));
    }

    @Test
    void wideRowsAreFetchedFewAtATimeAndAtLeastOne() {
        assertThat(ChunkReader.fetchRows(1000L * 1024 * 1024, 1000)).isEqualTo(4); // 1000 rows of 1 MiB
        assertThat(ChunkReader.fetchRows(10L * 64 * 1024 * 1024, 10)).isEqualTo(1); // 10 rows of 64 MiB
    }

    @Test
    void noRowsReadYetCountsAsTinyRows() {
        assertThat(ChunkReader.fetchRows(0, 0)).isEqualTo((int) ChunkReader.FETCH_BYTES);
    }
}
