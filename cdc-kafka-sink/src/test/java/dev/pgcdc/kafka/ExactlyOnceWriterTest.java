package dev.pgcdc.kafka;

import static dev.pgcdc.kafka.TestEvents.USERS;
import static dev.pgcdc.kafka.TestEvents.insert;
import static dev.pgcdc.kafka.TestEvents.records;
import static dev.pgcdc.kafka.TestEvents.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.SinkException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The exactly-once writer against kafka-clients' transactional MockProducer. */
class ExactlyOnceWriterTest {

    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final List<String> journal = new CopyOnWriteArrayList<>();
    private ExactlyOnceWriter writer;

    @AfterEach
    void closeWriter() {
        if (writer != null) {
            writer.close();
        }
    }

    @Test
    void commitsABatchWithItsLastPositionAndThenReportsItsWritesDurableInOrder() {
        writer = writer(3, Duration.ofMinutes(1));
        RecordingCallback a = new RecordingCallback("a", journal);
        RecordingCallback b = new RecordingCallback("b", journal);
        RecordingCallback c = new RecordingCallback("c", journal);

        writer.write(insert(1), records("k1"), a);
        writer.write(insert(2), records("k2", "k2b"), b);
        assertThat(journal).isEmpty();
        assertThat(producer.transactionInFlight()).isTrue();
        writer.write(insert(3), records("k3"), c);

        assertThat(journal).containsExactly("a durable", "b durable", "c durable");
        assertThat(producer.transactionCommitted()).isTrue();
        List<ProducerRecord<byte[], byte[]>> sent = producer.history();
        assertThat(sent).extracting(ProducerRecord::topic).containsExactly("users", "users", "users", "users", "__pgcdc_offsets");
        ProducerRecord<byte[], byte[]> offsets = sent.get(4);
        assertThat(offsets.partition()).isEqualTo(0);
        assertThat(text(offsets.key())).isEqualTo("pgcdc-test");
        assertThat(text(offsets.value())).isEqualTo("0/1003#0");
    }

    @Test
    void commitsAQuietTransactionAfterLinger() {
        writer = writer(1000, Duration.ofMillis(50));
        RecordingCallback a = new RecordingCallback("a", journal);

        writer.write(insert(1), records("k1"), a);

        await().atMost(Duration.ofSeconds(5)).until(() -> a.durable);
        assertThat(producer.commitCount()).isEqualTo(1);
    }

    @Test
    void flushCommitsTheOpenTransaction() {
        writer = writer(1000, Duration.ofMinutes(1));
        RecordingCallback a = new RecordingCallback("a", journal);
        writer.write(insert(1), records("k1"), a);

        writer.flush();

        assertThat(a.durable).isTrue();
        assertThat(producer.commitCount()).isEqualTo(1);
    }

    @Test
    void aFailedCommitAbortsAndFailsEveryWriteOfTheTransactionAndAllLaterOnes() {
        writer = writer(2, Duration.ofMinutes(1));
        producer.commitTransactionException = new KafkaException("broker said no");
        RecordingCallback a = new RecordingCallback("a", journal);
        RecordingCallback b = new RecordingCallback("b", journal);
        RecordingCallback later = new RecordingCallback("later", journal);

        writer.write(insert(1), records("k1"), a);
        writer.write(insert(2), records("k2"), b);
        writer.write(insert(3), records("k3"), later);

        assertThat(journal).containsExactly("a failed", "b failed", "later failed");
        assertThat(producer.transactionAborted()).isTrue();
        assertThat(a.failure).isInstanceOf(SinkException.class)
                .hasMessageStartingWith("commit of the Kafka transaction of 2 events up to position 0/1002#0 (transactional.id pgcdc-test) failed");
        assertThat(later.failure).hasMessageStartingWith("the Kafka sink stopped on an earlier failure");
    }

    @Test
    void aFencedProducerFailsWithAMessageThatSaysSo() {
        writer = writer(2, Duration.ofMinutes(1));
        producer.fenceProducer();
        RecordingCallback a = new RecordingCallback("a", journal);

        writer.write(insert(1), records("k1"), a);

        assertThat(a.failure).isInstanceOf(SinkException.class).hasMessageContaining("fenced");
    }

    @Test
    void closingWithAnOpenTransactionAbortsItAndReportsItsWritesFailed() {
        writer = writer(1000, Duration.ofMinutes(1));
        RecordingCallback a = new RecordingCallback("a", journal);
        writer.write(insert(1), records("k1"), a);

        writer.close();

        assertThat(a.failure).hasMessageContaining("closed before committing the transaction of 1 events up to position 0/1001#0");
        assertThat(producer.transactionAborted()).isTrue();
        assertThat(producer.closed()).isTrue();
    }

    private ExactlyOnceWriter writer(int batchSize, Duration linger) {
        producer.initTransactions();
        KafkaSinkSettings settings = KafkaSinkSettings.builder().bootstrapServers("localhost:9092").mapTable(USERS, "users")
                .exactlyOnce(true).transactionalId("pgcdc-test").batchSize(batchSize).linger(linger)
                .deliveryTimeout(Duration.ofMinutes(2)).build();
        return new ExactlyOnceWriter(producer, new RecordRouter(settings.tableTopicMapping()), (topic, usedFor) -> { }, settings);
    }
}
