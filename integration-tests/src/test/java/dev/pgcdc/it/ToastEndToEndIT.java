package dev.pgcdc.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 MB TOASTed text column that an update leaves alone: PostgreSQL does not send its value again,
 * and the topic shows the configured placeholder, neither null nor the value. With REPLICA IDENTITY
 * FULL the old row is logged whole, so the before image is complete and the unchanged value of the
 * after image is filled from it.
 *
 * <p>A 1 MB value makes records larger than Kafka's default 1 MB limit: like a user, the test raises
 * the topic's {@code max.message.bytes} and the producer's {@code max.request.size}.
 */
@TestEnvironment
class ToastEndToEndIT {

    private static final String PLACEHOLDER = "__toast_unchanged__";
    private static final int FOUR_MEGABYTES = 4 * 1024 * 1024;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service's output
    Path directory;

    @Test
    void anUnchangedToastValueIsThePlaceholderWithReplicaIdentityDefault(PostgresDatabase postgres, KafkaCluster kafka) {
        Setup setup = new Setup(postgres, kafka, "DEFAULT");
        try (PgcdcProcess service = setup.start(directory)) {
            postgres.execute(
                    "INSERT INTO " + setup.table + " SELECT 1, string_agg(md5(i::text), ''), 1 FROM generate_series(1, 32768) i",
                    "UPDATE " + setup.table + " SET counter = 2 WHERE id = 1",
                    "DELETE FROM " + setup.table + " WHERE id = 1");

            List<ChangeRecord> records = TopicReader.of(kafka).awaitAtLeast(setup.topic, 3, Duration.ofSeconds(60));
            assertThat(records).extracting(ToastEndToEndIT::view).containsExactly(
                    new View("c", "{\"id\":1}", null, row(1, setup.bigValue(), 1)),
                    new View("u", "{\"id\":1}", null, row(1, PLACEHOLDER, 2)),
                    new View("d", "{\"id\":1}", Map.of("id", "1"), null));
        } finally {
            setup.slot.drop();
        }
    }

    @Test
    void bothImagesAreCompleteWithReplicaIdentityFull(PostgresDatabase postgres, KafkaCluster kafka) {
        Setup setup = new Setup(postgres, kafka, "FULL");
        try (PgcdcProcess service = setup.start(directory)) {
            postgres.execute(
                    "INSERT INTO " + setup.table + " SELECT 1, string_agg(md5(i::text), ''), 1 FROM generate_series(1, 32768) i",
                    "UPDATE " + setup.table + " SET counter = 2 WHERE id = 1",
                    "DELETE FROM " + setup.table + " WHERE id = 1");

            String big = setup.bigValue();
            List<ChangeRecord> records = TopicReader.of(kafka).awaitAtLeast(setup.topic, 3, Duration.ofSeconds(60));
            assertThat(records).extracting(ToastEndToEndIT::view).containsExactly(
                    new View("c", "{\"id\":1}", null, row(1, big, 1)),
                    new View("u", "{\"id\":1}", row(1, big, 1), row(1, big, 2)),
                    new View("d", "{\"id\":1}", row(1, big, 2), null));
        } finally {
            setup.slot.drop();
        }
    }

    @Test
    void aRecordLargerThanKafkaTakesStopsTheServiceWithAnErrorSayingWhatToRaise(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = TestNames.unique("too_big");
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, big text)");
        String topic = kafka.createTopic(TestNames.unique("too_big")); // the broker's default limit, about 1 MB
        ServiceConfig config = ServiceConfig.of(postgres, kafka).publication(table + "_pub", true).slot(TestNames.unique("too_big"), true)
                .table(table, topic);
        ReplicationSlot slot = new ReplicationSlot(postgres, config.slot());
        try (PgcdcProcess service = PgcdcProcess.run(config.writeTo(directory), directory, "service")) {
            slot.awaitStreamingBy(service, Duration.ofSeconds(60));
            postgres.execute("INSERT INTO " + table + " VALUES (1, 'small')");
            Lsn afterSmall = ReplicationSlot.currentWalLsn(postgres);
            postgres.execute("INSERT INTO " + table + " SELECT 2, string_agg(md5(i::text), '') FROM generate_series(1, 32768) i");

            int exitCode = service.awaitExit(Duration.ofSeconds(60));
            assertThat(exitCode).as("exit code\n%s", service.tail()).isEqualTo(1);
            assertThat(service.stderr()).as("%s", service.tail()).contains(topic, "max.request.size");
            assertThat(slot.confirmedFlushLsn()).as("the slot is not confirmed past the refused record").isLessThanOrEqualTo(afterSmall);
            assertThat(TopicReader.of(kafka).readAll(topic)).extracting(record -> record.after().get("id").asInt()).containsExactly(1);
        } finally {
            slot.drop();
        }
    }

    /** One test's table, topic and slot, and the service configured for them. */
    private static final class Setup {
        final PostgresDatabase postgres;
        final String table = TestNames.unique("toasty");
        final String topic;
        final ServiceConfig config;
        final ReplicationSlot slot;

        Setup(PostgresDatabase postgres, KafkaCluster kafka, String replicaIdentity) {
            this.postgres = postgres;
            postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, big text, counter integer)");
            topic = kafka.createTopic(TestNames.unique("toasty"), 1, Map.of("max.message.bytes", Integer.toString(FOUR_MEGABYTES)));
            config = ServiceConfig.of(postgres, kafka)
                    .publication(table + "_pub", true)
                    .slot(TestNames.unique("toasty"), true)
                    .table(table, replicaIdentity, topic)
                    .with("pgcdc.handler.json.unchanged-toast-placeholder = \"" + PLACEHOLDER + "\"")
                    .with("pgcdc.kafka.producer { \"max.request.size\" = " + FOUR_MEGABYTES + " }");
            slot = new ReplicationSlot(postgres, config.slot());
        }

        PgcdcProcess start(Path directory) {
            PgcdcProcess service = PgcdcProcess.run(config.writeTo(directory), directory, "service");
            slot.awaitStreamingBy(service, Duration.ofSeconds(60));
            return service;
        }

        /** The 1 MB value as PostgreSQL computes it. */
        String bigValue() {
            String value = postgres.queryValue(String.class, "SELECT string_agg(md5(i::text), '') FROM generate_series(1, 32768) i");
            assertThat(value).hasSize(1_048_576);
            return value;
        }
    }

    /** What a record says, long values shortened to their length and digest so that a failure stays readable. */
    record View(String op, String key, Map<String, String> before, Map<String, String> after) {
    }

    private static View view(ChangeRecord record) {
        return new View(record.op(), record.keyText(), columns(record.before()), columns(record.after()));
    }

    private static Map<String, String> columns(JsonNode image) {
        if (image == null || image.isNull()) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        image.fields().forEachRemaining(field -> values.put(field.getKey(), field.getValue().isNull() ? null : shortened(field.getValue().asText())));
        return values;
    }

    private static Map<String, String> row(int id, String big, int counter) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("id", Integer.toString(id));
        values.put("big", shortened(big));
        values.put("counter", Integer.toString(counter));
        return values;
    }

    private static String shortened(String value) {
        if (value.length() <= 100) {
            return value;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return value.length() + " characters, sha-256 " + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
