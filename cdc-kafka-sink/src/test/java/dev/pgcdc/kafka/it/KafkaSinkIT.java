package dev.pgcdc.kafka.it;

import static dev.pgcdc.kafka.it.Pipelines.awaitAcknowledged;
import static dev.pgcdc.kafka.it.Pipelines.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.HandlerException;
import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.pipeline.ErrorPolicy;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.json.JsonChangeHandler;
import dev.pgcdc.json.JsonDeadLetterEncoder;
import dev.pgcdc.json.JsonHandlerSettings;
import dev.pgcdc.kafka.KafkaSink;
import dev.pgcdc.kafka.KafkaSinkSettings.Acks;
import dev.pgcdc.kafka.KafkaSinkSettings.Compression;
import dev.pgcdc.kafka.KafkaSinkSettings.Partitioner;
import dev.pgcdc.kafka.KafkaSinkSettings;
import dev.pgcdc.kafka.Workload;
import dev.pgcdc.kafka.partition.Crc32Partitioner;
import dev.pgcdc.kafka.partition.ReferenceHashPartitioner;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaBroker;
import dev.pgcdc.testkit.kafka.TestKafka;
import dev.pgcdc.testkit.source.ScriptedSource;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Kafka sink behind a real pipeline, against the shared broker: what each setting does to what the broker stores. */
class KafkaSinkIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    // a local broker process everywhere: some tests read its log segments (TestKafka.localBroker)
    private final KafkaBroker kafka = TestKafka.localBroker();

    @Test
    void deliversEveryChangeInOrderPerKeyAndAcknowledgesEveryPosition() {
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("users"), 3);
        int count = 20_000;
        ScriptedSource source = new ScriptedSource(count, new Workload(table, 100)::event);

        long started = System.nanoTime();
        try (Pipeline pipeline = Pipelines.start("delivery", source, json(), sink(settings().mapTable(table, topic)))) {
            awaitAcknowledged(pipeline, source, count, TIMEOUT);
        }
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        System.out.printf("pgcdc-kafka-sink: %d events through JsonChangeHandler + KafkaSink in %d ms (%.0f events/s)%n",
                count, millis, count * 1000.0 / millis);

        List<ConsumerRecord<String, String>> records = kafka.readAll(topic);
        assertThat(records).hasSize(count);
        Map<String, List<Long>> byKey = Records.seqsByKey(records);
        assertThat(byKey).hasSize(100);
        Records.assertStrictlyIncreasingPerKey(byKey);
        assertThat(byKey.values().stream().flatMap(List::stream).collect(Collectors.toSet()))
                .isEqualTo(LongStream.rangeClosed(1, count).boxed().collect(Collectors.toSet()));
        assertThat(source.confirmedLsn()).isEqualTo(Workload.lsnOf(count));
    }

    @Test
    void routesEachTableToItsTopicAndHandlerNamedRecordsToTheirOwn() {
        TableId users = table();
        TableId orders = table();
        String usersTopic = kafka.createTopic(TestNames.unique("users"));
        String ordersTopic = kafka.createTopic(TestNames.unique("orders"));
        String auditTopic = kafka.createTopic(TestNames.unique("audit"));
        Workload usersLoad = new Workload(users, 10);
        Workload ordersLoad = new Workload(orders, 10);
        ScriptedSource source = new ScriptedSource(40, n -> n % 2 == 0 ? ordersLoad.event(n) : usersLoad.event(n));
        JsonChangeHandler json = json();
        ChangeHandler auditing = event -> {
            List<OutRecord> records = new ArrayList<>(json.handle(event));
            records.add(new OutRecord(auditTopic, null, event.position().toString().getBytes(StandardCharsets.UTF_8), List.of()));
            return records;
        };

        try (Pipeline pipeline = Pipelines.start("routing", source, auditing, sink(settings().mapTable(users, usersTopic).mapTable(orders, ordersTopic)))) {
            awaitAcknowledged(pipeline, source, 40, TIMEOUT);
        }

        assertThat(kafka.readAll(usersTopic)).hasSize(20).allSatisfy(r -> assertThat(r.value()).contains("\"table\":\"" + users.name() + "\""));
        assertThat(kafka.readAll(ordersTopic)).hasSize(20).allSatisfy(r -> assertThat(r.value()).contains("\"table\":\"" + orders.name() + "\""));
        assertThat(kafka.readAll(auditTopic)).extracting(ConsumerRecord::value).hasSize(40).contains("0/40#0", "0/A00#0");
    }

    @Test
    void writesTheRecordsHeaders() {
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("headers"));
        ScriptedSource source = new ScriptedSource(3, new Workload(table, 10)::event);
        JsonChangeHandler withHeaders = new JsonChangeHandler(JsonHandlerSettings.of(java.util.Map.of("headers", true)));

        try (Pipeline pipeline = Pipelines.start("headers", source, withHeaders, sink(settings().mapTable(table, topic)))) {
            awaitAcknowledged(pipeline, source, 3, TIMEOUT);
        }

        ConsumerRecord<String, String> first = kafka.readAll(topic).get(0);
        Map<String, String> headers = new HashMap<>();
        first.headers().forEach(header -> headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8)));
        assertThat(headers).containsExactlyInAnyOrderEntriesOf(Map.of("pgcdc.op", "c", "pgcdc.table", table.toString(),
                "pgcdc.position", "0/40#0"));
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void storesBatchesWithTheConfiguredCompressionCodec(Compression compression) {
        KafkaBroker broker = localBroker();
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("codec_" + compression.configName()));
        ScriptedSource source = new ScriptedSource(500, new Workload(table, 10)::event);

        try (Pipeline pipeline = Pipelines.start("compression", source, json(), sink(settings().mapTable(table, topic).compression(compression)))) {
            awaitAcknowledged(pipeline, source, 500, TIMEOUT);
        }

        List<RecordBatch> batches = BrokerBatches.dataBatches(broker.dataDirectory(), topic, 0);
        assertThat(batches).isNotEmpty().allSatisfy(batch ->
                assertThat(batch.compressionType()).isEqualTo(CompressionType.forName(compression.configName())));
        assertThat(batches.stream().mapToLong(batch -> batch.lastOffset() - batch.baseOffset() + 1).sum()).isEqualTo(500);
    }

    @ParameterizedTest
    @EnumSource(value = Partitioner.class, names = {"HASH", "CRC32", "FNV1A", "REFERENCE_HASH"})
    void keyedPartitionersPutEachKeyOnItsHashsPartition(Partitioner partitioner) {
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("part_" + partitioner.configName()), 5);
        ScriptedSource source = new ScriptedSource(300, new Workload(table, 60)::event);

        try (Pipeline pipeline = Pipelines.start("partitions", source, json(), sink(settings().mapTable(table, topic).partitioner(partitioner)))) {
            awaitAcknowledged(pipeline, source, 300, TIMEOUT);
        }

        List<ConsumerRecord<String, String>> records = kafka.readAll(topic);
        assertThat(records).hasSize(300).allSatisfy(record -> {
            byte[] key = record.key().getBytes(StandardCharsets.UTF_8);
            int expected = switch (partitioner) {
                case HASH -> Utils.toPositive(Utils.murmur2(key)) % 5;
                case CRC32 -> (int) (Crc32Partitioner.crc32(key) % 5);
                case REFERENCE_HASH -> (ReferenceHashPartitioner.fnv1a32(key) & 0x7fffffff) % 5;
                case FNV1A -> Math.abs(ReferenceHashPartitioner.fnv1a32(key) % 5); // kafka-go's Hash
                default -> throw new IllegalArgumentException();
            };
            assertThat(record.partition()).as("partition of key %s", record.key()).isEqualTo(expected);
        });
        assertThat(records.stream().map(ConsumerRecord::partition).distinct().count()).isEqualTo(5);
    }

    @Test
    void roundRobinSpreadsRecordsEvenlyOverThePartitions() {
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("round_robin"), 4);
        ScriptedSource source = new ScriptedSource(400, new Workload(table, 1)::event);

        try (Pipeline pipeline = Pipelines.start("round-robin", source, json(), sink(settings().mapTable(table, topic).partitioner(Partitioner.ROUND_ROBIN)))) {
            awaitAcknowledged(pipeline, source, 400, TIMEOUT);
        }

        Map<Integer, Long> perPartition = kafka.readAll(topic).stream().collect(Collectors.groupingBy(ConsumerRecord::partition, Collectors.counting()));
        assertThat(perPartition).containsExactlyInAnyOrderEntriesOf(Map.of(0, 100L, 1, 100L, 2, 100L, 3, 100L));
    }

    @Test
    void leastBytesSpreadsRecordsOfOneSizeEvenlyOverThePartitions() {
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("least_bytes"), 4);
        // one key, values of about one size: the partition with the fewest bytes is about the next one in turn
        ScriptedSource source = new ScriptedSource(400, new Workload(table, 1)::event);

        try (Pipeline pipeline = Pipelines.start("least-bytes", source, json(),
                sink(settings().mapTable(table, topic).partitioner(Partitioner.LEAST_BYTES)))) {
            awaitAcknowledged(pipeline, source, 400, TIMEOUT);
        }

        Map<Integer, Long> perPartition = kafka.readAll(topic).stream().collect(Collectors.groupingBy(ConsumerRecord::partition, Collectors.counting()));
        assertThat(perPartition).containsOnlyKeys(0, 1, 2, 3);
        assertThat(perPartition.values()).allSatisfy(count -> assertThat(count).isBetween(90L, 110L));
    }

    @Test
    void leastLoadedIgnoresKeysAndUsesSeveralPartitions() {
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("least_loaded"), 4);
        ScriptedSource source = new ScriptedSource(2000, new Workload(table, 1)::event);

        // small batches so that the sticky partitioner moves on often
        try (Pipeline pipeline = Pipelines.start("least-loaded", source, json(),
                sink(settings().mapTable(table, topic).partitioner(Partitioner.LEAST_LOADED).batchBytes(4096)))) {
            awaitAcknowledged(pipeline, source, 2000, TIMEOUT);
        }

        // one key only, yet records of it are on several partitions: keys are ignored
        assertThat(kafka.readAll(topic).stream().map(ConsumerRecord::partition).distinct().count()).isGreaterThan(1);
    }

    @Test
    void acksAllWritesIdempotentBatchesAndAcksOneDoesNot() {
        KafkaBroker broker = localBroker();
        TableId table = table();
        String idempotent = kafka.createTopic(TestNames.unique("acks_all"));
        String leaderOnly = kafka.createTopic(TestNames.unique("acks_one"));

        for (String topic : List.of(idempotent, leaderOnly)) {
            ScriptedSource source = new ScriptedSource(50, new Workload(table, 10)::event);
            Acks acks = topic.equals(idempotent) ? Acks.ALL : Acks.LEADER;
            try (Pipeline pipeline = Pipelines.start("acks", source, json(), sink(settings().mapTable(table, topic).acks(acks)))) {
                awaitAcknowledged(pipeline, source, 50, TIMEOUT);
            }
        }

        assertThat(BrokerBatches.dataBatches(broker.dataDirectory(), idempotent, 0)).isNotEmpty()
                .allSatisfy(batch -> assertThat(batch.producerId()).isNotEqualTo(RecordBatch.NO_PRODUCER_ID))
                .allSatisfy(batch -> assertThat(batch.baseSequence()).isNotEqualTo(RecordBatch.NO_SEQUENCE));
        assertThat(BrokerBatches.dataBatches(broker.dataDirectory(), leaderOnly, 0)).isNotEmpty()
                .allSatisfy(batch -> assertThat(batch.producerId()).isEqualTo(RecordBatch.NO_PRODUCER_ID));
    }

    @Test
    void aMissingTopicIsAnErrorAtStartNamingTopicAndTable() {
        TableId table = table();
        String topic = TestNames.unique("missing");
        KafkaSink sink = new KafkaSink(settings().mapTable(table, topic).build());

        assertThatThrownBy(sink::start).isInstanceOf(SinkException.class)
                .hasMessage("topic \"" + topic + "\" (mapped from table " + table + " in pgcdc.kafka.table-topic-mapping) does not exist on "
                        + kafka.bootstrapServers() + ": create it or set pgcdc.kafka.allow-auto-topic-creation = true");
        sink.close();
    }

    @Test
    void createsMissingTopicsWithTheConfiguredPartitionsWhenAllowed() throws Exception {
        TableId table = table();
        String topic = TestNames.unique("created");
        ScriptedSource source = new ScriptedSource(10, new Workload(table, 10)::event);

        try (Pipeline pipeline = Pipelines.start("creation", source, json(),
                sink(settings().mapTable(table, topic).allowAutoTopicCreation(true).topicPartitions(3)))) {
            awaitAcknowledged(pipeline, source, 10, TIMEOUT);
        }

        try (Admin admin = kafka.admin()) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            assertThat(description.partitions()).hasSize(3);
        }
        assertThat(kafka.readAll(topic)).hasSize(10);
    }

    @Test
    void aRecordKafkaRefusesStopsThePipelineAndNothingAfterTheLastGoodRecordIsAcknowledged() {
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("too_large"), 1, Map.of("max.message.bytes", "2000"));
        Workload workload = new Workload(table, 10);
        ScriptedSource source = new ScriptedSource(200, n -> n == 5 ? oversized(workload.event(n)) : workload.event(n));

        Pipeline pipeline = Pipelines.start("too-large", source, json(), sink(settings().mapTable(table, topic)));
        awaitFailure(pipeline, TIMEOUT);

        assertThat(pipeline.failure()).get().isInstanceOf(SinkException.class).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE)
                .hasMessageStartingWith("Kafka did not take a record of INSERT on " + table + " at position 0/140#0 for topic " + topic
                        + " partition 0: org.apache.kafka.common.errors.RecordTooLargeException");
        assertThat(source.confirmedLsn()).isEqualTo(Workload.lsnOf(4));
        assertThat(source.acknowledgedPositions()).doesNotContain(new Position(Workload.lsnOf(5), 0))
                .allSatisfy(position -> assertThat(position.commitLsn()).isNotEqualTo(Workload.lsnOf(5)));
        assertThat(source.isClosed()).isTrue();
    }

    @Test
    void handlerErrorPolicyFailStopsBeforeTheFailedEvent() {
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("policy_fail"));
        ScriptedSource source = new ScriptedSource(50, new Workload(table, 10)::event);

        Pipeline pipeline = Pipelines.start("fail", source, failingOn(7), sink(settings().mapTable(table, topic)));
        awaitFailure(pipeline, TIMEOUT);

        assertThat(pipeline.failure()).get().isInstanceOf(HandlerException.class).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE)
                .hasMessageContaining("at 0/1C0#0");
        assertThat(source.confirmedLsn()).isEqualTo(Workload.lsnOf(6));
        assertThat(kafka.readAll(topic)).extracting(Records::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void handlerErrorPolicySkipAcknowledgesTheFailedEventWithoutARecord() {
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("policy_skip"));
        ScriptedSource source = new ScriptedSource(50, new Workload(table, 10)::event);
        PipelineSettings skip = PipelineSettings.builder().errorPolicy(ErrorPolicy.SKIP).build();

        try (Pipeline pipeline = Pipelines.start("skip", source, failingOn(7), sink(settings().mapTable(table, topic)), skip)) {
            awaitAcknowledged(pipeline, source, 50, TIMEOUT);
        }

        assertThat(source.confirmedLsn()).isEqualTo(Workload.lsnOf(50));
        assertThat(kafka.readAll(topic)).hasSize(49).extracting(Records::seq).doesNotContain(7L);
    }

    @Test
    void handlerErrorPolicyDeadLetterWritesTheEventWithItsErrorToTheDeadLetterTopic() {
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("policy_dlq"));
        String deadLetters = kafka.createTopic(TestNames.unique("dead_letters"));
        ScriptedSource source = new ScriptedSource(50, new Workload(table, 10)::event);
        PipelineSettings deadLetter = PipelineSettings.builder().errorPolicy(ErrorPolicy.DEAD_LETTER).deadLetterTopic(deadLetters)
                .deadLetterEncoder(new JsonDeadLetterEncoder(JsonHandlerSettings.defaults())).build();

        try (Pipeline pipeline = Pipelines.start("dead-letter", source, failingOn(7), sink(settings().mapTable(table, topic)), deadLetter)) {
            awaitAcknowledged(pipeline, source, 50, TIMEOUT);
        }

        assertThat(source.confirmedLsn()).isEqualTo(Workload.lsnOf(50));
        assertThat(kafka.readAll(topic)).hasSize(49);
        List<ConsumerRecord<String, String>> letters = kafka.readAll(deadLetters);
        assertThat(letters).hasSize(1);
        assertThat(Records.seq(letters.get(0))).isEqualTo(7);
        assertThat(letters.get(0).key()).isEqualTo("{\"id\":7}");
        assertThat(new String(letters.get(0).headers().lastHeader("pgcdc.error.message").value(), StandardCharsets.UTF_8)).isEqualTo("bad row 7");
        assertThat(new String(letters.get(0).headers().lastHeader("pgcdc.position").value(), StandardCharsets.UTF_8)).isEqualTo("0/1C0#0");
    }

    @Test
    void aDeadLetterTopicThatDoesNotExistStopsThePipelineSayingSo() {
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("policy_dlq_missing"));
        String deadLetters = TestNames.unique("no_dead_letters");
        ScriptedSource source = new ScriptedSource(20, new Workload(table, 10)::event);
        PipelineSettings deadLetter = PipelineSettings.builder().errorPolicy(ErrorPolicy.DEAD_LETTER).deadLetterTopic(deadLetters).build();

        Pipeline pipeline = Pipelines.start("dead-letter-missing", source, failingOn(7), sink(settings().mapTable(table, topic)), deadLetter);
        awaitFailure(pipeline, TIMEOUT);

        assertThat(pipeline.failure()).get().asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE)
                .hasMessageStartingWith("topic \"" + deadLetters + "\" (named by the handler for INSERT on " + table
                        + " at position 0/1C0#0) does not exist");
        assertThat(source.confirmedLsn()).isEqualTo(Workload.lsnOf(6));
    }

    @Test
    void theProducerUsesTheConfiguredClientId() throws Exception {
        TableId table = table();
        String topic = kafka.createTopic(TestNames.unique("client_id"));
        String clientId = TestNames.unique("pgcdc_client");
        KafkaSink sink = sink(settings().mapTable(table, topic).clientId(clientId));
        sink.start();
        try {
            assertThat(ManagementFactory.getPlatformMBeanServer()
                    .isRegistered(new ObjectName("kafka.producer:type=producer-metrics,client-id=" + clientId))).isTrue();
            assertThat(ManagementFactory.getPlatformMBeanServer()
                    .isRegistered(new ObjectName("kafka.admin.client:type=admin-client-metrics,client-id=" + clientId + "-admin"))).isTrue();
        } finally {
            sink.close();
        }
    }

    @Test
    void anUnreachableBrokerFailsTheStartWithAMessageThatSaysWhatToCheck() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        KafkaSink sink = new KafkaSink(KafkaSinkSettings.builder().bootstrapServers("127.0.0.1:" + closedPort).mapTable(table(), "t")
                .requestTimeout(Duration.ofSeconds(2)).deliveryTimeout(Duration.ofSeconds(5)).build());

        assertThatThrownBy(sink::start).isInstanceOf(SinkException.class)
                .hasMessageContaining("cannot describe topic \"t\" on Kafka at 127.0.0.1:" + closedPort)
                .hasMessageContaining("check pgcdc.kafka.bootstrap-servers");
        sink.close();
    }

    // --- helpers

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

    /** The JSON handler, except that it throws on event {@code n}. */
    private static ChangeHandler failingOn(long n) {
        JsonChangeHandler json = json();
        return event -> {
            if (event.position().commitLsn().equals(Workload.lsnOf(n))) {
                throw new IllegalStateException("bad row " + n);
            }
            return json.handle(event);
        };
    }

    private static ChangeEvent oversized(ChangeEvent event) {
        Object[] values = new Object[Workload.COLUMNS.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = event.after().value(i);
        }
        values[2] = "x".repeat(5000);
        return new ChangeEvent(event.operation(), event.table(), null, new Row(Workload.COLUMNS, values), event.keyColumns(),
                event.transactionId(), event.lsn(), event.commitLsn(), event.commitTime(), event.position(), null, null);
    }

    private KafkaBroker localBroker() {
        return kafka;
    }
}
