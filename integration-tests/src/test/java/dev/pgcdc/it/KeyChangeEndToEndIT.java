package dev.pgcdc.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ServiceFixture;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An update that changes a row's primary key, through the packaged service into a compacted topic:
 * the old key gets a delete and its tombstone, the new key a create, so that compaction forgets the
 * old key (keyed by the new key only, the old row would stay in the topic forever). With
 * {@code postgres.key-change = update} the same change is one update keyed by the new key.
 */
@TestEnvironment
class KeyChangeEndToEndIT {

    @RegisterExtension
    final ServiceFixture service = ServiceFixture.named("rekeyed");

    @Test
    void aKeyChangeIsADeleteWithItsTombstoneForTheOldKeyThenACreateForTheNewOneInACompactedTopic(PostgresDatabase postgres,
                                                                                                  KafkaCluster kafka) {
        List<ChangeRecord> records = captureAKeyChange(postgres, kafka, "delete-create", 5);

        assertThat(records).extracting(KeyChangeEndToEndIT::view).containsExactly(
                new View("{\"id\":1}", "c"),
                new View("{\"id\":1}", "d"),
                new View("{\"id\":1}", null), // the tombstone: compaction drops the old key
                new View("{\"id\":2}", "c"),
                new View("{\"id\":2}", "u"));
        assertThat(records.get(3).after().get("name").asText()).isEqualTo("ada");
        assertThat(records.get(1).before().get("id").asInt()).isEqualTo(1);
        assertThat(latestValuePerKey(records)).as("what compaction keeps").containsOnlyKeys("{\"id\":2}");
    }

    @Test
    void withKeyChangeUpdateItIsOneUpdateKeyedByTheNewKey(PostgresDatabase postgres, KafkaCluster kafka) {
        List<ChangeRecord> records = captureAKeyChange(postgres, kafka, "update", 3);

        assertThat(records).extracting(KeyChangeEndToEndIT::view).containsExactly(
                new View("{\"id\":1}", "c"),
                new View("{\"id\":2}", "u"),
                new View("{\"id\":2}", "u"));
    }

    /** Inserts id 1, changes its key to 2, updates it again; returns the topic's records once {@code expected} have arrived. */
    private List<ChangeRecord> captureAKeyChange(PostgresDatabase postgres, KafkaCluster kafka, String keyChange, int expected) {
        String table = service.table();
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, name text)");
        String topic = service.topicWith(1, Map.of("cleanup.policy", "compact")).topic();
        service.config()
                .with("pgcdc.postgres.key-change = " + keyChange)
                .with("pgcdc.handler.json.tombstone-after-delete = true");
        try (PgcdcProcess pgcdc = service.start("service-" + keyChange)) {
            postgres.execute(
                    "INSERT INTO " + table + " VALUES (1, 'ada')",
                    "UPDATE " + table + " SET id = 2 WHERE id = 1",
                    "UPDATE " + table + " SET name = 'ada lovelace' WHERE id = 2");
            return TopicReader.of(kafka).awaitAtLeast(topic, expected, Duration.ofSeconds(60));
        }
    }

    /** A record's key and operation; a tombstone has no operation. */
    record View(String key, String op) {
    }

    private static View view(ChangeRecord record) {
        return new View(record.keyText(), record.value() == null || record.value().isNull() ? null : record.op());
    }

    /** The last value per key, as compaction leaves the topic; a tombstone removes its key. */
    private static Map<String, ChangeRecord> latestValuePerKey(List<ChangeRecord> records) {
        Map<String, ChangeRecord> latest = new LinkedHashMap<>();
        for (ChangeRecord record : records) {
            if (record.value() == null || record.value().isNull()) {
                latest.remove(record.keyText());
            } else {
                latest.put(record.keyText(), record);
            }
        }
        return latest;
    }
}
