package dev.pgcdc.kafka.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.snapshot.ChunkMark;
import dev.pgcdc.kafka.KafkaSink;
import dev.pgcdc.kafka.KafkaSinkSettings;
import dev.pgcdc.kafka.Workload;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.kafka.TestKafka;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The Kafka sink as the ledger of an exactly-once snapshot, against a real broker: a chunk's rows and its
 * record are committed together, and another instance that takes the chunks over fences the first one's
 * transactional id, finds the committed chunk's record and not the unfinished one's, whose rows no
 * {@code read_committed} consumer ever sees.
 */
class ExactlyOnceChunksIT {

    private final KafkaCluster kafka = TestKafka.shared();

    @Test
    void aChunkIsCommittedWithItsRecordAndATakeOverFencesTheOwnerOfAnUnfinishedOne() throws Exception {
        TableId table = new TableId("public", TestNames.unique("t"));
        String topic = kafka.createTopic(TestNames.unique("eo_chunks"));
        String offsets = TestNames.unique("offsets");
        String transactionalId = "pgcdc-" + TestNames.unique("slot");
        KafkaSinkSettings settings = KafkaSinkSettings.builder().bootstrapServers(kafka.bootstrapServers()).mapTable(table, topic)
                .exactlyOnce(true).transactionalId(transactionalId).offsetsTopic(offsets).batchSize(1).build();
        Workload workload = new Workload(table, 10);
        String run = "job@1";
        // chunk 1: events 1 to 3; chunk 2: events 4 to 6; a commit is due after every event (batch-size 1)
        Map<Position, ChunkMark> ends = Map.of(workload.event(3).position(), new ChunkMark(run, 1, 3), workload.event(6).position(),
                new ChunkMark(run, 2, 3));

        try (KafkaSink first = new KafkaSink(settings); KafkaSink second = new KafkaSink(settings)) {
            first.commitChunks("a", position -> Optional.ofNullable(ends.get(position)));
            assertThat(first.settings().transactionalId()).isEqualTo(transactionalId + "-snapshot-a");
            first.start();
            List<CompletableFuture<Throwable>> chunkOne = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                chunkOne.add(Pipelines.write(first, workload, n));
            }
            for (CompletableFuture<Throwable> write : chunkOne) {
                assertThat(write.get(30, TimeUnit.SECONDS)).as("chunk 1 committed").isNull();
            }
            CompletableFuture<Throwable> four = Pipelines.write(first, workload, 4);
            CompletableFuture<Throwable> five = Pipelines.write(first, workload, 5);
            assertThat(four).as("inside chunk 2 nothing is committed").isNotDone();

            // another instance takes both chunks over from "a"
            second.commitChunks("b", position -> Optional.empty());
            assertThat(second.committedRows(run, 1, "a")).as("chunk 1's record").hasValue(3);
            assertThat(second.committedRows(run, 2, "a")).as("chunk 2 was never committed").isEmpty();

            // "a" was fenced: the end of chunk 2 cannot be committed any more
            assertThat(Pipelines.write(first, workload, 6).get(30, TimeUnit.SECONDS)).isInstanceOf(SinkException.class);
            assertThat(four.get(30, TimeUnit.SECONDS)).isInstanceOf(SinkException.class);
            assertThat(five.get(30, TimeUnit.SECONDS)).isInstanceOf(SinkException.class);
            assertThat(second.committedRows(run, 2, "a")).as("still not committed").isEmpty();
        }

        assertThat(kafka.readAllCommitted(topic)).extracting(Records::seq).containsExactly(1L, 2L, 3L);
        assertThat(kafka.readAllCommitted(offsets)).extracting(ConsumerRecord::key).contains(transactionalId + "/snapshot/job@1/1")
                .doesNotContain(transactionalId + "/snapshot/job@1/2");
    }
}
