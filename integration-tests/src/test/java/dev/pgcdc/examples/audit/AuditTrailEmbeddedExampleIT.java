package dev.pgcdc.examples.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.kafka.KafkaSink;
import dev.pgcdc.kafka.KafkaSinkSettings;
import dev.pgcdc.postgres.PostgresSource;
import dev.pgcdc.postgres.PostgresSourceSettings;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Embedding example 3 (docs/embedding.md): the handler of docs/handler-guide.md, which
 * {@link AuditTrailInServiceExampleIT} deploys in the service as a jar found by ServiceLoader,
 * used here in a pipeline built in plain Java from cdc-postgres-source and cdc-kafka-sink.
 */
@TestEnvironment
class AuditTrailEmbeddedExampleIT {

    @Test
    void theSameHandlerRunsInAPipelineBuiltByHand(PostgresDatabase postgres, KafkaCluster kafka) throws Exception {
        String table = TestNames.unique("customers");
        String slot = TestNames.unique("audit_embedded");
        String auditTopic = kafka.createTopic(TestNames.unique("audit"));
        postgres.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, name text)");

        // --- user code, as in docs/embedding.md ---
        Pipeline pipeline = new Pipeline("audit",
                new PostgresSource(PostgresSourceSettings.builder()
                        .host(postgres.host()).port(postgres.port()).database(postgres.database())
                        .user(postgres.user()).password(postgres.password())
                        .publicationName(slot + "_pub").publicationCreateIfNotExists(true)
                        .tables("public." + table)
                        .slotName(slot).slotCreateIfNotExists(true)
                        .build()),
                new AuditTrailHandler(auditTopic, false),
                new KafkaSink(KafkaSinkSettings.builder().bootstrapServers(kafka.bootstrapServers()).build()));
        pipeline.start();
        // --- end of user code ---

        try {
            postgres.execute("INSERT INTO " + table + " VALUES (1, 'ada')",
                    "UPDATE " + table + " SET name = 'ada lovelace' WHERE id = 1",
                    "DELETE FROM " + table + " WHERE id = 1");
            List<ConsumerRecord<String, String>> records = kafka.awaitRecords(auditTopic, 3, Duration.ofSeconds(60));
            assertThat(records).extracting(ConsumerRecord::value).containsExactly(
                    "INSERT public." + table + " id=1",
                    "UPDATE public." + table + " id=1",
                    "DELETE public." + table + " id=1");
        } finally {
            pipeline.stop();
            postgres.dropReplicationSlotIfExists(slot);
        }
        assertThat(pipeline.failure()).isEmpty();
    }
}
