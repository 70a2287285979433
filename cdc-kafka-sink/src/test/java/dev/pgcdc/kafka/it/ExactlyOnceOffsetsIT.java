package dev.pgcdc.kafka.it;

import static dev.pgcdc.kafka.it.Pipelines.awaitAcknowledged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.position.StreamOrigin;
import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.json.JsonChangeHandler;
import dev.pgcdc.json.JsonHandlerSettings;
import dev.pgcdc.kafka.KafkaSink;
import dev.pgcdc.kafka.KafkaSinkSettings;
import dev.pgcdc.kafka.Workload;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.kafka.TestKafka;
import dev.pgcdc.testkit.source.ScriptedSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * The offsets topic of exactly-once mode on a real broker: the stored origin checked at resume, the
 * position read past other producers' open transactions, the topic created durable and compacted.
 */
class ExactlyOnceOffsetsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final StreamOrigin CLUSTER = new StreamOrigin("7301234567890123456", 1, Lsn.parse("1/0"));

    private final KafkaCluster kafka = TestKafka.shared();

    @Test
    void storesTheOriginWithEachPositionAndRefusesAPositionOfAnotherClusterUntilItIsDeleted() {
        Fixture fixture = new Fixture();
        runTo(fixture, 20, CLUSTER);
        assertThat(lastStored(fixture)).isEqualTo(Workload.lsnOf(20) + "#0;system=7301234567890123456;timeline=1");

        // another cluster that reuses the slot name: resuming would skip its changes up to 0/...#0 as written
        StreamOrigin other = new StreamOrigin("7309999999999999999", 1, Lsn.parse("1/0"));
        ScriptedSource foreign = new ScriptedSource(20, fixture.workload::event).withOrigin(other);
        assertThatThrownBy(() -> Pipelines.start("eo-foreign", foreign, json(), new KafkaSink(fixture.settings)))
                .isInstanceOf(SinkException.class)
                .hasMessageContaining("belongs to the PostgreSQL cluster with system identifier 7301234567890123456, but the server is cluster"
                        + " 7309999999999999999")
                .hasMessageContaining("echo '" + fixture.transactionalId + "|NULL' | kafka-console-producer.sh");

        // the documented reset: a tombstone for the key (what the console producer with null.marker writes)
        kafka.send(fixture.offsets, fixture.transactionalId, null);
        KafkaSink reset = new KafkaSink(fixture.settings);
        ScriptedSource fresh = new ScriptedSource(5, fixture.workload::event).withOrigin(other);
        try (Pipeline pipeline = Pipelines.start("eo-reset", fresh, json(), reset)) {
            assertThat(reset.committedPosition()).isEmpty();
            awaitAcknowledged(pipeline, fresh, 5, TIMEOUT);
        }
        assertThat(lastStored(fixture)).endsWith(";system=7309999999999999999;timeline=1");
    }

    @Test
    void aPromotedStandbyOfTheSameClusterResumesFromTheStoredPosition() {
        Fixture fixture = new Fixture();
        runTo(fixture, 10, CLUSTER);

        StreamOrigin promoted = new StreamOrigin(CLUSTER.systemId(), 2, Lsn.parse("1/0"));
        KafkaSink sink = new KafkaSink(fixture.settings);
        ScriptedSource source = new ScriptedSource(15, fixture.workload::event).withOrigin(promoted);
        try (Pipeline pipeline = Pipelines.start("eo-promoted", source, json(), sink)) {
            assertThat(sink.committedPosition()).contains(new Position(Workload.lsnOf(10), 0));
            awaitAcknowledged(pipeline, source, 15, TIMEOUT);
        }
        assertThat(lastStored(fixture)).endsWith(";system=7301234567890123456;timeline=2");
        assertThat(kafka.readAllCommitted(fixture.topic)).hasSize(15);
    }

    @Test
    void aPositionOfAnEarlierVersionWithoutOriginIsAcceptedAndStoredWithTheOriginFromThenOn() {
        Fixture fixture = new Fixture();
        runTo(fixture, 3, CLUSTER); // creates the offsets topic
        kafka.send(fixture.offsets, fixture.transactionalId, new Position(Workload.lsnOf(5), 0).toString());

        KafkaSink sink = new KafkaSink(fixture.settings);
        ScriptedSource source = new ScriptedSource(8, fixture.workload::event).withOrigin(CLUSTER);
        try (Pipeline pipeline = Pipelines.start("eo-legacy", source, json(), sink)) {
            assertThat(sink.committedPosition()).contains(new Position(Workload.lsnOf(5), 0));
            awaitAcknowledged(pipeline, source, 8, TIMEOUT);
        }
        assertThat(lastStored(fixture)).isEqualTo(Workload.lsnOf(8) + "#0;system=7301234567890123456;timeline=1");
    }

    @Test
    void readsItsOwnLastPositionPastAnotherProducersOpenTransactionOnTheSamePartition() throws Exception {
        Fixture fixture = new Fixture();
        try (KafkaProducer<String, String> other = transactionalProducer("other-" + TestNames.unique("tx"))) {
            KafkaSink first = new KafkaSink(fixture.settings);
            first.start();
            write(first, fixture, 1, 10);
            // another instance opens a transaction on our partition before our last commit, and keeps it open
            other.initTransactions();
            other.beginTransaction();
            other.send(new ProducerRecord<>(fixture.offsets, partitionOf(fixture), "pgcdc-other", "0/1#0")).get(30, TimeUnit.SECONDS);
            write(first, fixture, 11, 20);
            first.close();

            Thread committer = new Thread(() -> {
                try {
                    Thread.sleep(3000);
                    other.commitTransaction();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            committer.start();
            try (KafkaSink sink = new KafkaSink(fixture.settings)) {
                sink.start(); // waits for the open transaction instead of reading up to its start
                assertThat(sink.committedPosition()).contains(new Position(Workload.lsnOf(20), 0));
            }
            committer.join(TimeUnit.SECONDS.toMillis(60));
        }
    }

    @Test
    void aTransactionLeftOpenOnItsPartitionFailsTheStartNamingItsTransactionalId() throws Exception {
        Fixture fixture = new Fixture(builder -> builder.requestTimeout(Duration.ofSeconds(2)).deliveryTimeout(Duration.ofSeconds(4)));
        String hanging = "hanging-" + TestNames.unique("tx");
        int partition;
        try (KafkaProducer<String, String> other = transactionalProducer(hanging)) {
            KafkaSink first = new KafkaSink(fixture.settings);
            first.start();
            write(first, fixture, 1, 5);
            partition = partitionOf(fixture);
            other.initTransactions();
            other.beginTransaction();
            other.send(new ProducerRecord<>(fixture.offsets, partition, "pgcdc-other", "0/1#0")).get(30, TimeUnit.SECONDS);
            write(first, fixture, 6, 10);
            first.close();

            assertThatThrownBy(() -> {
                try (KafkaSink sink = new KafkaSink(fixture.settings)) {
                    sink.start();
                }
            }).isInstanceOf(SinkException.class)
                    .hasMessageContaining("open transactions of other producers hold its last stable offset")
                    .hasMessageContaining("transactional id " + hanging)
                    .hasMessageContaining("kafka-transactions.sh --bootstrap-server " + kafka.bootstrapServers() + " abort --topic "
                            + fixture.offsets + " --partition " + partition);
            other.abortTransaction();
        }
    }

    @Test
    void findsAPositionThatAnEarlierVersionWroteToPartitionZeroOfAnOffsetsTopicWithSeveralPartitions() {
        // earlier versions wrote partition 0 whatever the partition count; pick an id whose own partition is another one
        String transactionalId = "pgcdc-" + TestNames.unique("slot");
        while (Utils.toPositive(Utils.murmur2(transactionalId.getBytes(StandardCharsets.UTF_8))) % 4 == 0) {
            transactionalId = "pgcdc-" + TestNames.unique("slot");
        }
        String id = transactionalId;
        Fixture fixture = new Fixture(builder -> builder.transactionalId(id));
        kafka.createTopic(fixture.offsets, 4, Map.of("cleanup.policy", "compact"));
        try (KafkaProducer<String, String> producer = kafka.newProducer()) {
            producer.send(new ProducerRecord<>(fixture.offsets, 0, id, new Position(Workload.lsnOf(7), 0).toString())).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }

        KafkaSink sink = new KafkaSink(fixture.settings);
        ScriptedSource source = new ScriptedSource(9, fixture.workload::event).withOrigin(CLUSTER);
        try (Pipeline pipeline = Pipelines.start("eo-partition0", source, json(), sink)) {
            assertThat(sink.committedPosition()).contains(new Position(Workload.lsnOf(7), 0));
            awaitAcknowledged(pipeline, source, 9, TIMEOUT);
        }
        assertThat(kafka.readAllCommitted(fixture.topic)).hasSize(2);
        // from now on in its own partition (records of several partitions come in no time order: look for it)
        assertThat(kafka.readAllCommitted(fixture.offsets)).filteredOn(record -> id.equals(record.key()) && record.partition() != 0)
                .extracting(ConsumerRecord::value).contains(Workload.lsnOf(9) + "#0;system=7301234567890123456;timeline=1");
    }

    @Test
    void createsTheOffsetsTopicCompactedWithItsOwnMinInsyncReplicas() throws Exception {
        Fixture fixture = new Fixture();
        runTo(fixture, 1, CLUSTER);

        try (Admin admin = kafka.admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, fixture.offsets);
            Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            ConfigEntry minInsync = config.get("min.insync.replicas");
            // set on the topic itself (replicas - 1, at least 1), not left to the broker's default
            assertThat(minInsync.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            assertThat(minInsync.value()).isEqualTo("1");
            assertThat(admin.describeTopics(List.of(fixture.offsets)).allTopicNames().get(30, TimeUnit.SECONDS).get(fixture.offsets)
                    .partitions()).hasSize(10);
        }
    }

    @Test
    void refusesAnOffsetsTopicThatIsNotCompacted() {
        Fixture fixture = new Fixture();
        kafka.createTopic(fixture.offsets, 1, Map.of("cleanup.policy", "delete"));

        assertThatThrownBy(() -> {
            try (KafkaSink sink = new KafkaSink(fixture.settings)) {
                sink.start();
            }
        }).isInstanceOf(SinkException.class)
                .hasMessageContaining("the offsets topic \"" + fixture.offsets + "\" (pgcdc.kafka.offsets-topic) has cleanup.policy=delete, not compact")
                .hasMessageContaining("--add-config cleanup.policy=compact");
    }

    /** Streams events 1..{@code count} (those up to the stored position are skipped) and stops. */
    private void runTo(Fixture fixture, int count, StreamOrigin origin) {
        ScriptedSource source = new ScriptedSource(count, fixture.workload::event).withOrigin(origin);
        try (Pipeline pipeline = Pipelines.start("eo-run", source, json(), new KafkaSink(fixture.settings))) {
            awaitAcknowledged(pipeline, source, count, TIMEOUT);
        }
    }

    /** Writes events {@code from..to} straight to the sink, then flushes: every write must become durable. */
    private static void write(KafkaSink sink, Fixture fixture, int from, int to) throws Exception {
        List<CompletableFuture<Throwable>> outcomes = new java.util.ArrayList<>();
        for (int n = from; n <= to; n++) {
            outcomes.add(Pipelines.write(sink, fixture.workload, n));
        }
        sink.flush();
        for (CompletableFuture<Throwable> outcome : outcomes) {
            assertThat(outcome.get(60, TimeUnit.SECONDS)).isNull();
        }
    }

    private String lastStored(Fixture fixture) {
        List<String> values = kafka.readAllCommitted(fixture.offsets).stream().filter(r -> fixture.transactionalId.equals(r.key()))
                .map(ConsumerRecord::value).toList();
        assertThat(values).isNotEmpty();
        return values.get(values.size() - 1);
    }

    private int partitionOf(Fixture fixture) throws Exception {
        try (Admin admin = kafka.admin()) {
            int partitions = admin.describeTopics(List.of(fixture.offsets)).allTopicNames().get(30, TimeUnit.SECONDS).get(fixture.offsets)
                    .partitions().size();
            return Utils.toPositive(Utils.murmur2(fixture.transactionalId.getBytes(StandardCharsets.UTF_8))) % partitions;
        }
    }

    private KafkaProducer<String, String> transactionalProducer(String transactionalId) {
        Map<String, Object> properties = kafka.clientProperties();
        properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        properties.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 300_000);
        return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }

    private static JsonChangeHandler json() {
        return new JsonChangeHandler(JsonHandlerSettings.defaults());
    }

    /** One table, topic, offsets topic and transactional id per test. */
    private final class Fixture {
        final TableId table = new TableId("public", TestNames.unique("t"));
        final String topic = kafka.createTopic(TestNames.unique("eo_origin"));
        final String offsets = TestNames.unique("offsets");
        final Workload workload = new Workload(table, 10);
        final KafkaSinkSettings settings;
        final String transactionalId;

        Fixture() {
            this(builder -> builder);
        }

        Fixture(java.util.function.UnaryOperator<KafkaSinkSettings.Builder> tweak) {
            settings = tweak.apply(KafkaSinkSettings.builder().bootstrapServers(kafka.bootstrapServers()).mapTable(table, topic)
                    .exactlyOnce(true).transactionalId("pgcdc-" + TestNames.unique("slot")).offsetsTopic(offsets).batchSize(5)).build();
            transactionalId = settings.transactionalId();
        }
    }
}
