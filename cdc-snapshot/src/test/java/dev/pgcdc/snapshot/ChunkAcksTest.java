package dev.pgcdc.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.ChunkRange;
import dev.pgcdc.api.event.TableId;
import org.junit.jupiter.api.Test;

class ChunkAcksTest {

    private static Chunk chunk(long id) {
        return new Chunk("job", id, new TableId("public", "t"), new ChunkRange.BlockRange(id, id + 1));
    }

    @Test
    void aChunkIsDoneOnlyOnceItsReadFinishedAndEveryRowIsAcknowledged() {
        ChunkAcks acks = new ChunkAcks();
        ChunkAcks.InFlight first = acks.start(chunk(0), 0);
        acks.emitted(first, 1);
        acks.emitted(first, 1);
        assertThat(acks.acknowledge(0)).isNull();
        assertThat(acks.acknowledge(1)).as("the read has not finished: more rows may come").isNull();
        ChunkAcks.Done done = acks.finish(first);
        assertThat(done).isEqualTo(new ChunkAcks.Done(chunk(0), 2));
        assertThat(acks.inFlight()).isZero();
    }

    @Test
    void acknowledgementsAfterTheReadCompleteTheRightChunkInAnyOrder() {
        ChunkAcks acks = new ChunkAcks();
        ChunkAcks.InFlight first = acks.start(chunk(0), 10);
        acks.emitted(first, 1);
        acks.emitted(first, 1);
        assertThat(acks.finish(first)).isNull();
        ChunkAcks.InFlight second = acks.start(chunk(1), 12);
        acks.emitted(second, 1);
        assertThat(acks.finish(second)).isNull();
        assertThat(acks.acknowledge(12)).isEqualTo(new ChunkAcks.Done(chunk(1), 1));
        assertThat(acks.acknowledge(11)).isNull();
        assertThat(acks.pending()).containsExactly(chunk(0));
        assertThat(acks.acknowledge(10)).isEqualTo(new ChunkAcks.Done(chunk(0), 2));
        assertThat(acks.acknowledge(13)).as("a sequence no chunk emitted").isNull();
    }

    @Test
    void anEmptyChunkIsDoneWhenItsReadFinishesAndDoesNotShadowTheNext() {
        ChunkAcks acks = new ChunkAcks();
        ChunkAcks.InFlight empty = acks.start(chunk(0), 5);
        assertThat(acks.finish(empty)).isEqualTo(new ChunkAcks.Done(chunk(0), 0));
        ChunkAcks.InFlight next = acks.start(chunk(1), 5);
        acks.emitted(next, 1);
        acks.finish(next);
        assertThat(acks.acknowledge(5)).isEqualTo(new ChunkAcks.Done(chunk(1), 1));
    }

    @Test
    void theLastRowOfAChunkIsKnownOnceItsReadEndedAndUntilTheChunkIsDone() {
        ChunkAcks acks = new ChunkAcks();
        ChunkAcks.InFlight first = acks.start(chunk(0), 20);
        acks.emitted(first, 2);
        assertThat(acks.endingAt(21)).as("the read goes on").isNull();
        acks.ended(first, 22);
        acks.emitted(first, 1);
        assertThat(acks.endingAt(21)).as("not the last row").isNull();
        assertThat(acks.endingAt(22)).isEqualTo(new ChunkAcks.Done(chunk(0), 3));
        assertThat(acks.finish(first)).isNull();
        acks.acknowledge(20);
        acks.acknowledge(21);
        assertThat(acks.acknowledge(22)).isEqualTo(new ChunkAcks.Done(chunk(0), 3));
        assertThat(acks.endingAt(22)).as("a done chunk is no longer in flight").isNull();
    }

    @Test
    void anAbandonedChunkNoLongerCounts() {
        ChunkAcks acks = new ChunkAcks();
        ChunkAcks.InFlight failed = acks.start(chunk(0), 0);
        acks.emitted(failed, 1);
        acks.abandon(failed);
        assertThat(acks.acknowledge(0)).isNull();
        assertThat(acks.inFlight()).isZero();
    }

    @Test
    void acknowledgementsAlternatingBetweenChunksAndRepeatedAfterTheDoneOneEachCountOnce() {
        ChunkAcks acks = new ChunkAcks();
        ChunkAcks.InFlight first = acks.start(chunk(0), 0);
        acks.emitted(first, 2);
        acks.finish(first);
        ChunkAcks.InFlight second = acks.start(chunk(1), 2);
        acks.emitted(second, 2);
        acks.finish(second);
        assertThat(acks.acknowledge(2)).isNull();
        assertThat(acks.acknowledge(0)).isNull();
        assertThat(acks.acknowledge(3)).isEqualTo(new ChunkAcks.Done(chunk(1), 2));
        assertThat(acks.acknowledge(3)).as("the chunk is done: a repeated acknowledgement counts for nothing").isNull();
        assertThat(acks.acknowledge(1)).isEqualTo(new ChunkAcks.Done(chunk(0), 2));
        assertThat(acks.acknowledge(1)).isNull();
        assertThat(acks.inFlight()).isZero();
    }
}
