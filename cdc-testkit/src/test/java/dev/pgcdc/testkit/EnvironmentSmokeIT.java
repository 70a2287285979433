package dev.pgcdc.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.kafka.TestKafka;
import dev.pgcdc.testkit.postgres.LogicalDecodingProbe;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import dev.pgcdc.testkit.postgres.TestPostgres;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@TestEnvironment
class EnvironmentSmokeIT {

    @Test
    void postgresDecodesAnInsertWithPgoutput(PostgresDatabase postgres) {
        System.out.println("PostgreSQL: " + postgres.queryValue(String.class, "SELECT version()"));
        assertThat(postgres.queryValue(String.class, "SHOW wal_level")).isEqualTo("logical");

        byte[] messages = LogicalDecodingProbe.insertAndPeek(postgres, "smoke-row-ünïcode");

        assertThat(messages).isNotEmpty();
        assertThat(messages[0]).as("first message is BEGIN").isEqualTo((byte) 'B');
        assertThat(new String(messages, UTF_8)).contains("smoke-row-ünïcode");
    }

    @Test
    void kafkaKeepsAProducedRecord(KafkaCluster kafka) {
        System.out.println("Kafka: " + kafka.description());
        String topic = kafka.createTopic(TestNames.unique("smoke"), 3);

        kafka.send(topic, "key-1", "value-1");

        List<ConsumerRecord<String, String>> records = kafka.readAll(topic);
        assertThat(records).extracting(ConsumerRecord::key, ConsumerRecord::value)
                .containsExactly(tuple("key-1", "value-1"));
        assertThat(kafka.awaitRecords(topic, 1, Duration.ofSeconds(10))).hasSize(1);
    }

    @Test
    void sharedInstancesAreTheSameForEveryTest(PostgresDatabase postgres, KafkaCluster kafka) {
        assertThat(postgres).isSameAs(TestPostgres.shared());
        assertThat(kafka).isSameAs(TestKafka.shared());
    }
}
