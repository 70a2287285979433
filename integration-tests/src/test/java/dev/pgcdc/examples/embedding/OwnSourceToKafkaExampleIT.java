package dev.pgcdc.examples.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.json.JsonChangeHandler;
import dev.pgcdc.json.JsonHandlerSettings;
import dev.pgcdc.kafka.KafkaSink;
import dev.pgcdc.kafka.KafkaSinkSettings;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Embedding example 2 (docs/embedding.md): a source of one's own + cdc-kafka-sink with the JSON
 * handler of cdc-json-handler, in plain Java.
 */
@TestEnvironment
class OwnSourceToKafkaExampleIT {

    @Test
    void writesTheEventsOfAUserSourceToKafkaAndAcknowledgesThem(KafkaCluster kafka) throws Exception {
        String topic = kafka.createTopic(TestNames.unique("stock"), 3);

        // --- user code, as in docs/embedding.md ---
        InventorySource source = new InventorySource();
        KafkaSink sink = new KafkaSink(KafkaSinkSettings.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .mapTable("warehouse.stock", topic)
                .build());
        Pipeline pipeline = new Pipeline("inventory", source, new JsonChangeHandler(JsonHandlerSettings.defaults()), sink);
        pipeline.start();
        for (int i = 0; i < 100; i++) {
            source.stockChanged("sku-" + i % 10, i);
        }
        // --- end of user code ---

        try {
            List<ConsumerRecord<String, String>> records = kafka.awaitRecords(topic, 100, Duration.ofSeconds(60));
            assertThat(records).hasSize(100);
            ConsumerRecord<String, String> first = records.stream().filter(r -> r.value().contains("\"quantity\":0")).findFirst().orElseThrow();
            assertThat(first.key()).isEqualTo("{\"sku\":\"sku-0\"}");
            assertThat(first.value()).contains("\"op\":\"u\"", "\"after\":{\"sku\":\"sku-0\",\"quantity\":0}",
                    "\"schema\":\"warehouse\"", "\"table\":\"stock\"");
            // per key, Kafka keeps the order the source emitted
            List<String> sku3 = records.stream().filter(r -> r.key().equals("{\"sku\":\"sku-3\"}")).map(ConsumerRecord::value).toList();
            assertThat(sku3).hasSize(10);
            for (int i = 0; i < 10; i++) {
                assertThat(sku3.get(i)).contains("\"quantity\":" + (3 + 10 * i) + "}");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> source.durableUpTo() == 100);
        } finally {
            pipeline.stop();
        }
        assertThat(pipeline.failure()).isEmpty();
    }
}
