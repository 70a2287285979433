package dev.pgcdc.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceFixture;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    @RegisterExtension
    final ServiceFixture service = ServiceFixture.named("toasty");

    @Test
    void anUnchangedToastValueIsThePlaceholderWithReplicaIdentityDefault(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = createToastTable(postgres, "DEFAULT");
        try (PgcdcProcess pgcdc = service.start("service")) {
            postgres.execute(
                    "INSERT INTO " + table + " SELECT 1, string_agg(md5(i::text), ''), 1 FROM generate_series(1, 32768) i",
                    "UPDATE " + table + " SET counter = 2 WHERE id = 1",
                    "DELETE FROM " + table + " WHERE id = 1");

            List<ChangeRecord> records = TopicReader.of(kafka).awaitAtLeast(service.topic(), 3, Duration.ofSeconds(60));
            assertThat(records).extracting(ToastEndToEndIT::view).containsExactly(
                    new View("c", "{\"id\":1}", null, row(1, bigValue(postgres), 1)),
                    new View("u", "{\"id\":1}", null, row(1, PLACEHOLDER, 2)),
                    new View("d", "{\"id\":1}", Map.of("id", "1"), null));
        }
    }

    @Test
    void bothImagesAreCompleteWithReplicaIdentityFull(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = createToastTable(postgres, "FULL");
        try (PgcdcProcess pgcdc = service.start("service")) {
            postgres.execute(
                    "INSERT INTO " + table + " SELECT 1, string_agg(md5(i::text), ''), 1 FROM generate_series(1, 32768) i",
                    "UPDATE " + table + " SET counter = 2 WHERE id = 1",
                    "DELETE FROM " + table + " WHERE id = 1");

            String big = bigValue(postgres);
            List<ChangeRecord> records = TopicReader.of(kafka).awaitAtLeast(service.topic(), 3, Duration.ofSeconds(60));
            assertThat(records).extracting(ToastEndToEndIT::view).containsExactly(
                    new View("c", "{\"id\":1}", null, row(1, big, 1)),
                    new View("u", "{\"id\":1}", row(1, big, 1), row(1, big, 2)),
                    new View("d", "{\"id\":1}", row(1, big, 2), null));
        }
    }

    @Test
    void aRecordLargerThanKafkaTakesStopsTheServiceWithAnErrorSayingWhatToRaise(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = service.table();
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, big text)");
        String topic = service.topic(); // the broker's default limit, about 1 MB
        ReplicationSlot slot = service.slot();
        try (PgcdcProcess pgcdc = service.start("service")) {
            postgres.execute("INSERT INTO " + table + " VALUES (1, 'small')");
            Lsn afterSmall = ReplicationSlot.currentWalLsn(postgres);
            postgres.execute("INSERT INTO " + table + " SELECT 2, string_agg(md5(i::text), '') FROM generate_series(1, 32768) i");

            int exitCode = pgcdc.awaitExit(Duration.ofSeconds(60));
            assertThat(exitCode).as("exit code\n%s", pgcdc.tail()).isEqualTo(1);
            assertThat(pgcdc.stderr()).as("%s", pgcdc.tail()).contains(topic, "max.request.size");
            assertThat(slot.confirmedFlushLsn()).as("the slot is not confirmed past the refused record").isLessThanOrEqualTo(afterSmall);
            assertThat(TopicReader.of(kafka).readAll(topic)).extracting(record -> record.after().get("id").asInt()).containsExactly(1);
        }
    }

    /**
     * Creates the test's table with a text column to TOAST, its topic taking records up to 4 MB, and
     * configures the service with {@code replicaIdentity}, the placeholder and a producer that sends 4 MB; the table's name.
     */
    private String createToastTable(PostgresDatabase postgres, String replicaIdentity) {
        String table = service.table();
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, big text, counter integer)");
        String topic = service.topicWith(1, Map.of("max.message.bytes", Integer.toString(FOUR_MEGABYTES))).topic();
        service.config()
                .table(table, replicaIdentity, topic)
                .with("pgcdc.handler.json.unchanged-toast-placeholder = \"" + PLACEHOLDER + "\"")
                .with("pgcdc.kafka.producer { \"max.request.size\" = " + FOUR_MEGABYTES + " }");
        return table;
    }

    /** The 1 MB value as PostgreSQL computes it. */
    private static String bigValue(PostgresDatabase postgres) {
        String value = postgres.queryValue(String.class, "SELECT string_agg(md5(i::text), '') FROM generate_series(1, 32768) i");
        assertThat(value).hasSize(1_048_576);
        return value;
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
