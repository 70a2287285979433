package dev.pgcdc.kafka.it;

import static dev.pgcdc.kafka.it.Pipelines.awaitAcknowledged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.json.JsonChangeHandler;
import dev.pgcdc.json.JsonHandlerSettings;
import dev.pgcdc.kafka.KafkaSink;
import dev.pgcdc.kafka.KafkaSinkSettings.Compression;
import dev.pgcdc.kafka.KafkaSinkSettings.Partitioner;
import dev.pgcdc.kafka.KafkaSinkSettings;
import dev.pgcdc.kafka.Workload;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaBroker;
import dev.pgcdc.testkit.kafka.TestKafka;
import dev.pgcdc.testkit.source.ScriptedSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

/**
 * What the producer settings do, as the shared broker sees it: the record batches it stores
 * (linger, batch-bytes, raw producer overrides), how soon a refused record fails (max-attempts,
 * delivery-timeout), and when new partitions get records (metadata-max-age).
 */
class ProducerSettingsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    // a local broker process everywhere: some tests read its log segments (TestKafka.localBroker)
    private final KafkaBroker kafka = TestKafka.localBroker();

    @Test
    void lingerGathersTheRecordsWrittenWithinItIntoOneStoredBatch() {
        KafkaBroker broker = localBroker();
        TableId table = table();
        String eager = kafka.createTopic(TestNames.unique("linger_0"));
        String patient = kafka.createTopic(TestNames.unique("linger_1500"));

        // 20 events, one every 25 ms: about 500 ms of writes
        for (String topic : List.of(eager, patient)) {
            Duration linger = topic.equals(eager) ? Duration.ZERO : Duration.ofMillis(1500);
            ScriptedSource source = new ScriptedSource(20, new Workload(table, 5)::event, Lsn.INVALID, Duration.ofMillis(25));
            try (Pipeline pipeline = Pipelines.start("linger", source, json(), sink(settings().mapTable(table, topic).linger(linger)),
                    PipelineSettings.builder().pollBatchSize(1).build())) {
                awaitAcknowledged(pipeline, source, 20, TIMEOUT);
            }
        }

        assertThat(BrokerBatches.dataBatches(broker.dataDirectory(), eager, 0)).as("linger = 0: sent as written")
                .hasSizeGreaterThanOrEqualTo(10);
        assertThat(BrokerBatches.dataBatches(broker.dataDirectory(), patient, 0)).as("linger = 1500ms: one batch")
                .singleElement().satisfies(batch -> assertThat(recordCount(batch)).isEqualTo(20));
    }

    @Test
    void batchBytesIsTheSizeAtWhichAStoredBatchIsFull() {
        KafkaBroker broker = localBroker();
        TableId table = table();
        String small = kafka.createTopic(TestNames.unique("batch_4k"));
        String large = kafka.createTopic(TestNames.unique("batch_1m"));
        int batchBytes = 4096;

        // a long linger: a batch is sent because it is full, or at the end
        for (String topic : List.of(small, large)) {
            ScriptedSource source = new ScriptedSource(200, new Workload(table, 10)::event);
            KafkaSinkSettings.Builder settings = settings().mapTable(table, topic).linger(Duration.ofSeconds(1));
            try (Pipeline pipeline = Pipelines.start("batch-bytes", source, json(),
                    sink(topic.equals(small) ? settings.batchBytes(batchBytes) : settings))) {
                awaitAcknowledged(pipeline, source, 200, TIMEOUT);
            }
        }

        List<RecordBatch> smallBatches = BrokerBatches.dataBatches(broker.dataDirectory(), small, 0);
        assertThat(smallBatches.stream().mapToLong(ProducerSettingsIT::recordCount).sum()).isEqualTo(200);
        assertThat(smallBatches).hasSizeGreaterThan(10).allSatisfy(batch -> assertThat(batch.sizeInBytes()).isLessThanOrEqualTo(batchBytes));
        // every batch but the last was sent full: no room for one more record (each well under 512 bytes)
        assertThat(smallBatches.subList(0, smallBatches.size() - 1))
                .allSatisfy(batch -> assertThat(batch.sizeInBytes()).isGreaterThan(batchBytes - 512));
        assertThat(BrokerBatches.dataBatches(broker.dataDirectory(), large, 0)).as("the default batch-bytes (64 KiB at most) holds all 200")
                .singleElement().satisfies(batch -> assertThat(recordCount(batch)).isEqualTo(200));
    }

    @Test
    void rawProducerOverridesWinOverTheSinksOwnSettings() {
        KafkaBroker broker = localBroker();
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("override"));
        ScriptedSource source = new ScriptedSource(200, new Workload(table, 10)::event);

        try (Pipeline pipeline = Pipelines.start("override", source, json(), sink(settings().mapTable(table, topic)
                .compression(Compression.GZIP).producerOverride("compression.type", "zstd")))) {
            awaitAcknowledged(pipeline, source, 200, TIMEOUT);
        }

        assertThat(BrokerBatches.dataBatches(broker.dataDirectory(), topic, 0)).isNotEmpty()
                .allSatisfy(batch -> assertThat(batch.compressionType()).isEqualTo(CompressionType.ZSTD));
    }

    @Test
    void maxAttemptsOfOneFailsARecordOnTheBrokersFirstRetriableRefusal() throws Exception {
        Refusal refusal = deleteTheTopicWhileWriting(settings().maxAttempts(1).requestTimeout(Duration.ofSeconds(1)).deliveryTimeout(Duration.ofSeconds(4)));

        assertThat(refusal.failedAfter()).isLessThan(Duration.ofSeconds(2));
        assertThat(refusal.failure()).hasMessageContaining(": org.apache.kafka.common.errors.UnknownTopicIdException")
                .hasMessageContaining("the topic does not exist (any more)");
    }

    @Test
    void unboundedAttemptsRetryARefusedRecordUntilTheDeliveryTimeout() throws Exception {
        Refusal refusal = deleteTheTopicWhileWriting(settings().requestTimeout(Duration.ofSeconds(1)).deliveryTimeout(Duration.ofSeconds(3)));

        assertThat(refusal.failedAfter()).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(10));
        // the retried record expires, or a later send gives up waiting for the topic: both after delivery-timeout
        assertThat(refusal.failure()).hasMessageContaining(": org.apache.kafka.common.errors.TimeoutException: ")
                .hasMessageContaining("pgcdc.kafka.delivery-timeout");
    }

    @Test
    void aShortMetadataMaxAgeSendsToPartitionsAddedWhileRunningWithinSeconds() throws Exception {
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("metadata_age"), 2);
        // about 250 events a second for as long as the test runs
        ScriptedSource source = new ScriptedSource(1_000_000, new Workload(table, 1)::event, Lsn.INVALID, Duration.ofMillis(20));

        try (Admin admin = kafka.admin();
             Pipeline pipeline = Pipelines.start("metadata-age", source, json(), sink(settings().mapTable(table, topic)
                     .partitioner(Partitioner.ROUND_ROBIN).metadataMaxAge(Duration.ofSeconds(1))),
                     PipelineSettings.builder().pollBatchSize(5).build())) {
            awaitAcknowledged(pipeline, source, 50, TIMEOUT);
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(4))).all().get(30, TimeUnit.SECONDS);
            long added = System.nanoTime();

            // the default metadata-max-age (60 s) would leave the new partitions empty for a minute
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> recordsPerPartition(admin, topic, 4).keySet().equals(Set.of(0, 1, 2, 3)));
            assertThat(Duration.ofNanos(System.nanoTime() - added)).isLessThan(Duration.ofSeconds(8));
        }
    }

    // --- helpers

    /** How a pipeline failed: its failure, and how long after the refusal began. */
    private record Refusal(Throwable failure, Duration failedAfter) {
    }

    /**
     * Streams events to a topic, deletes the topic, and waits for the pipeline to fail: the broker
     * refuses the records that follow (an unknown topic id, a retriable error).
     */
    private Refusal deleteTheTopicWhileWriting(KafkaSinkSettings.Builder settings) throws Exception {
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("deleted"));
        ScriptedSource source = new ScriptedSource(1_000_000, new Workload(table, 10)::event, Lsn.INVALID, Duration.ofMillis(20));
        try (Admin admin = kafka.admin();
             Pipeline pipeline = Pipelines.start("refused", source, json(), sink(settings.mapTable(table, topic)),
                     PipelineSettings.builder().pollBatchSize(5).build())) {
            awaitAcknowledged(pipeline, source, 20, TIMEOUT);
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            long deleted = System.nanoTime();
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> pipeline.failure().isPresent());
            Duration failedAfter = Duration.ofNanos(System.nanoTime() - deleted);
            Throwable failure = pipeline.failure().get();
            assertThat(failure).isInstanceOf(SinkException.class)
                    .hasMessageStartingWith("Kafka did not take a record of UPDATE on " + table).hasMessageContaining(" for topic " + topic);
            return new Refusal(failure, failedAfter);
        }
    }

    /** Partition -> records it holds, of the partitions that hold any. */
    private static Map<Integer, Long> recordsPerPartition(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
        }
        return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                .filter(entry -> entry.getValue().offset() > 0)
                .collect(Collectors.toMap(entry -> entry.getKey().partition(), entry -> entry.getValue().offset()));
    }

    private static long recordCount(RecordBatch batch) {
        return batch.lastOffset() - batch.baseOffset() + 1;
    }

    private KafkaSinkSettings.Builder settings() {
        return KafkaSinkSettings.builder().bootstrapServers(kafka.bootstrapServers());
    }

    private static KafkaSink sink(KafkaSinkSettings.Builder settings) {
        return new KafkaSink(settings.build());
    }

    private static JsonChangeHandler json() {
        return new JsonChangeHandler(JsonHandlerSettings.defaults());
    }

    private static TableId table() {
        return new TableId("public", TestNames.unique("t"));
    }

    private KafkaBroker localBroker() {
        return kafka;
    }
}
