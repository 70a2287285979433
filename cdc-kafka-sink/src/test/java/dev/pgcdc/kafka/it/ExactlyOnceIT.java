package dev.pgcdc.kafka.it;

import static dev.pgcdc.kafka.it.Pipelines.awaitAcknowledged;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.json.JsonChangeHandler;
import dev.pgcdc.json.JsonHandlerSettings;
import dev.pgcdc.kafka.KafkaSink;
import dev.pgcdc.kafka.KafkaSinkSettings;
import dev.pgcdc.kafka.Workload;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaBroker;
import dev.pgcdc.testkit.kafka.TestKafka;
import dev.pgcdc.testkit.source.ScriptedSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

/** Exactly-once mode against the shared broker: positions committed with the data, replays skipped, zombies fenced. */
class ExactlyOnceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    // a local broker process everywhere: a test reads its log segments (TestKafka.localBroker)
    private final KafkaBroker kafka = TestKafka.localBroker();

    @Test
    void commitsEachBatchWithItsLastPositionAndSkipsReplayedEventsAfterARestart() {
        TableId table = new TableId("public", TestNames.unique("t"));
        String topic = kafka.createTopic(TestNames.unique("eo"), 2);
        String offsets = TestNames.unique("offsets");
        String transactionalId = "pgcdc-" + TestNames.unique("slot");
        Workload workload = new Workload(table, 50);
        KafkaSinkSettings settings = settings(table, topic, offsets, transactionalId).batchSize(100).transactionInterval(Duration.ofMinutes(1)).build();

        ScriptedSource first = new ScriptedSource(1000, workload::event);
        try (Pipeline pipeline = Pipelines.start("eo-1", first, json(), new KafkaSink(settings))) {
            awaitAcknowledged(pipeline, first, 1000, TIMEOUT);
        }

        // batch-size = 100 and a long transaction-interval: ten transactions, each with its last position
        List<String> positions = kafka.readAllCommitted(offsets).stream().filter(r -> r.key().equals(transactionalId))
                .map(ConsumerRecord::value).toList();
        assertThat(positions).containsExactlyElementsOf(LongStream.rangeClosed(1, 10)
                .mapToObj(i -> new Position(Workload.lsnOf(i * 100), 0).toString()).toList());

        // the service restarts: the slot replays from an older confirmed position (here: from the start)
        KafkaSink restarted = new KafkaSink(settings);
        ScriptedSource replay = new ScriptedSource(1500, workload::event);
        try (Pipeline pipeline = Pipelines.start("eo-2", replay, json(), restarted)) {
            assertThat(restarted.committedPosition()).contains(new Position(Workload.lsnOf(1000), 0));
            awaitAcknowledged(pipeline, replay, 1500, TIMEOUT);
        }

        List<ConsumerRecord<String, String>> committed = kafka.readAllCommitted(topic);
        assertThat(committed).hasSize(1500);
        assertThat(committed.stream().map(Records::seq).collect(Collectors.toSet()))
                .isEqualTo(LongStream.rangeClosed(1, 1500).boxed().collect(Collectors.toSet()));
        Records.assertStrictlyIncreasingPerKey(Records.seqsByKey(committed));
    }

    @Test
    void writesTransactionalBatchesThatReadCommittedConsumersSeeOnlyOnceCommitted() {
        KafkaBroker broker = kafka;
        TableId table = new TableId("public", TestNames.unique("t"));
        String topic = kafka.createTopic(TestNames.unique("eo_batches"));
        ScriptedSource source = new ScriptedSource(300, new Workload(table, 10)::event);
        KafkaSinkSettings settings = settings(table, topic, TestNames.unique("offsets"), "pgcdc-" + TestNames.unique("slot"))
                .batchSize(100).transactionInterval(Duration.ofMinutes(1)).build();

        try (Pipeline pipeline = Pipelines.start("eo-batches", source, json(), new KafkaSink(settings))) {
            awaitAcknowledged(pipeline, source, 300, TIMEOUT);
        }

        List<RecordBatch> batches = BrokerBatches.of(broker.dataDirectory(), topic, 0);
        assertThat(batches.stream().filter(RecordBatch::isControlBatch).count()).as("commit markers").isEqualTo(3);
        assertThat(batches.stream().filter(batch -> !batch.isControlBatch())).allSatisfy(batch -> assertThat(batch.isTransactional()).isTrue());
    }

    @Test
    void withoutTransactionIntervalABurstIsCommittedInTransactionsOfUpToBatchSizeNotOnePerEvent() {
        TableId table = new TableId("public", TestNames.unique("t"));
        String topic = kafka.createTopic(TestNames.unique("eo_interval0"));
        ScriptedSource source = new ScriptedSource(1000, new Workload(table, 10)::event);
        KafkaSinkSettings settings = settings(table, topic, TestNames.unique("offsets"), "pgcdc-" + TestNames.unique("slot"))
                .batchSize(100).transactionInterval(Duration.ZERO).build();

        try (Pipeline pipeline = Pipelines.start("eo-interval0", source, json(), new KafkaSink(settings))) {
            awaitAcknowledged(pipeline, source, 1000, TIMEOUT);
        }

        long commits = BrokerBatches.of(kafka.dataDirectory(), topic, 0).stream().filter(RecordBatch::isControlBatch).count();
        // one transaction per event before; now about 1000 / batch-size, plus one per pause of the stream
        assertThat(commits).as("commit markers").isBetween(10L, 100L);
        assertThat(kafka.readAllCommitted(topic)).hasSize(1000);
    }

    @Test
    void lingerOnlySendsBatchesWhileTheTransactionIntervalDecidesTheCommits() {
        TableId table = new TableId("public", TestNames.unique("t"));
        String topic = kafka.createTopic(TestNames.unique("eo_linger0"));
        // 20 events, one every 25 ms: about 500 ms of writes, paused between events, within one transaction-interval
        ScriptedSource source = new ScriptedSource(20, new Workload(table, 5)::event, Lsn.INVALID, Duration.ofMillis(25));
        KafkaSinkSettings settings = settings(table, topic, TestNames.unique("offsets"), "pgcdc-" + TestNames.unique("slot"))
                .linger(Duration.ZERO).transactionInterval(Duration.ofSeconds(5)).build();

        try (Pipeline pipeline = Pipelines.start("eo-linger0", source, json(), new KafkaSink(settings),
                PipelineSettings.builder().pollBatchSize(1).build())) {
            awaitAcknowledged(pipeline, source, 20, TIMEOUT);
        }

        List<RecordBatch> batches = BrokerBatches.of(kafka.dataDirectory(), topic, 0);
        assertThat(batches.stream().filter(batch -> !batch.isControlBatch()).count()).as("linger = 0: sent as written")
                .isGreaterThanOrEqualTo(10);
        assertThat(batches.stream().filter(RecordBatch::isControlBatch).count()).as("commit markers: no commit at a pause").isEqualTo(1);
    }

    @Test
    void aSecondInstanceWithTheSameTransactionalIdFencesTheFirst() throws Exception {
        TableId table = new TableId("public", TestNames.unique("t"));
        String topic = kafka.createTopic(TestNames.unique("zombie"));
        KafkaSinkSettings settings = settings(table, topic, TestNames.unique("offsets"), "pgcdc-" + TestNames.unique("slot"))
                .batchSize(1).build();
        Workload workload = new Workload(table, 10);

        try (KafkaSink zombie = new KafkaSink(settings); KafkaSink successor = new KafkaSink(settings)) {
            zombie.start();
            CompletableFuture<Throwable> first = Pipelines.write(zombie, workload, 1);
            assertThat(first.get(30, TimeUnit.SECONDS)).isNull();

            successor.start();
            CompletableFuture<Throwable> late = Pipelines.write(zombie, workload, 2);
            assertThat(late.get(30, TimeUnit.SECONDS)).isInstanceOf(SinkException.class).hasMessageContaining("fenced");

            assertThat(successor.committedPosition()).contains(new Position(Workload.lsnOf(1), 0));
            assertThat(Pipelines.write(successor, workload, 2).get(30, TimeUnit.SECONDS)).isNull();
        }
        assertThat(kafka.readAllCommitted(topic)).extracting(Records::seq).containsExactly(1L, 2L);
    }

    private KafkaSinkSettings.Builder settings(TableId table, String topic, String offsetsTopic, String transactionalId) {
        return KafkaSinkSettings.builder().bootstrapServers(kafka.bootstrapServers()).mapTable(table, topic).exactlyOnce(true)
                .transactionalId(transactionalId).offsetsTopic(offsetsTopic);
    }

    private static JsonChangeHandler json() {
        return new JsonChangeHandler(JsonHandlerSettings.defaults());
    }
}
