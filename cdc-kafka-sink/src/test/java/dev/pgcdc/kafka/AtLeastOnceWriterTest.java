package dev.pgcdc.kafka;

import static dev.pgcdc.kafka.TestEvents.USERS;
import static dev.pgcdc.kafka.TestEvents.insert;
import static dev.pgcdc.kafka.TestEvents.record;
import static dev.pgcdc.kafka.TestEvents.records;
import static dev.pgcdc.kafka.TestEvents.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.handler.RecordHeader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The at-least-once writer against kafka-clients' own MockProducer, completing sends by hand. */
class AtLeastOnceWriterTest {

    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final List<String> checkedTopics = new ArrayList<>();
    private final AtLeastOnceWriter writer = new AtLeastOnceWriter(producer, new RecordRouter(Map.of(USERS, "users")),
            (topic, usedFor) -> checkedTopics.add(topic), Duration.ofSeconds(1));

    @Test
    void writeIsDurableOnlyWhenKafkaAcknowledgedEachOfItsRecords() {
        RecordingCallback callback = new RecordingCallback("a");

        writer.write(insert(1), records("k1", "k2"), callback);
        producer.completeNext();

        assertThat(callback.settled()).isFalse();
        producer.completeNext();
        assertThat(callback.durable).isTrue();
        assertThat(callback.calls).hasValue(1);
    }

    @Test
    void routesRecordsToTheMappedTopicWithKeyValueAndHeaders() {
        OutRecord withHeaders = new OutRecord(null, TestEvents.bytes("k"), TestEvents.bytes("v"), List.of(RecordHeader.of("h", "x")));

        writer.write(insert(1), List.of(withHeaders), new RecordingCallback("a"));

        ProducerRecord<byte[], byte[]> sent = producer.history().get(0);
        assertThat(sent.topic()).isEqualTo("users");
        assertThat(sent.partition()).isNull();
        assertThat(text(sent.key())).isEqualTo("k");
        assertThat(text(sent.value())).isEqualTo("v");
        assertThat(text(sent.headers().lastHeader("h").value())).isEqualTo("x");
        assertThat(checkedTopics).isEmpty();
    }

    @Test
    void aTopicNamedByTheHandlerIsCheckedBeforeSending() {
        writer.write(insert(1), List.of(new OutRecord("dead.letters", null, TestEvents.bytes("v"), List.of())), new RecordingCallback("a"));

        assertThat(checkedTopics).containsExactly("dead.letters");
        assertThat(producer.history().get(0).topic()).isEqualTo("dead.letters");
    }

    @Test
    void aFailedRecordFailsItsWriteOnceNamingTopicPartitionTableAndPosition() {
        RecordingCallback first = new RecordingCallback("first");

        writer.write(insert(1), records("k1", "k2"), first);
        producer.errorNext(new RecordTooLargeException("too big"));
        producer.completeNext();

        assertThat(first.calls).hasValue(1);
        assertThat(first.durable).isFalse();
        assertThat(first.failure).isInstanceOf(SinkException.class)
                .hasMessageStartingWith("Kafka did not take a record of INSERT on public.users at position 0/1001#0 for topic users partition 0:")
                .hasMessageContaining("max.request.size")
                .hasMessageEndingWith("nothing after the last durable record is acknowledged, a restart resumes from there");
    }

    @Test
    void afterAFailureNothingIsReportedDurableAnyMore() {
        RecordingCallback failed = new RecordingCallback("failed");
        RecordingCallback inFlight = new RecordingCallback("in-flight");
        RecordingCallback later = new RecordingCallback("later");

        writer.write(insert(1), records("k1"), failed);
        writer.write(insert(2), records("k2"), inFlight);
        producer.errorNext(new KafkaException("broken"));
        producer.completeNext(); // Kafka took the later record, but an earlier one failed
        writer.write(insert(3), records("k3"), later);

        assertThat(failed.failure).hasMessageContaining("0/1001#0");
        assertThat(inFlight.durable).isFalse();
        assertThat(inFlight.failure).hasMessageStartingWith("the Kafka sink stopped on an earlier failure, so INSERT on public.users at position 0/1002#0");
        assertThat(later.failure).isInstanceOf(SinkException.class);
        assertThat(producer.history()).hasSize(2);
    }

    @Test
    void writesBeforeTheFailedOneStillBecomeDurable() {
        RecordingCallback earlier = new RecordingCallback("earlier");
        RecordingCallback failing = new RecordingCallback("failing");

        writer.write(insert(1), records("k1"), earlier);
        writer.write(insert(TableId.parse("sales.orders"), 2), records("k2"), failing);
        producer.completeNext();

        assertThat(failing.failure).isInstanceOf(SinkException.class);
        assertThat(earlier.durable).isTrue();
    }

    @Test
    void anUnmappedTableFailsTheWriteWithTheKeyToSet() {
        RecordingCallback callback = new RecordingCallback("a");

        writer.write(insert(TableId.parse("sales.orders"), 1), List.of(record("k", "v")), callback);

        assertThat(callback.failure).hasMessage("no topic for table sales.orders (INSERT on sales.orders at position 0/1001#0):"
                + " add \"sales.orders\" = \"<topic>\" to pgcdc.kafka.table-topic-mapping or set pgcdc.kafka.topic-pattern");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void aSendThatThrowsFailsTheWrite() {
        producer.sendException = new KafkaException("producer closed");
        RecordingCallback callback = new RecordingCallback("a");

        writer.write(insert(1), records("k"), callback);

        assertThat(callback.failure).hasMessageContaining("producer closed").hasMessageContaining("for topic users");
    }

    @Test
    void aDurableCallbackThatThrowsOnTheIoThreadIsContainedAndFailsEveryLaterWrite() {
        RecordingCallback throwing = new RecordingCallback("throwing") {
            @Override
            public void onDurable() {
                super.onDurable();
                throw new IllegalStateException("the stream went back");
            }
        };
        RecordingCallback inFlight = new RecordingCallback("in-flight");
        RecordingCallback later = new RecordingCallback("later");
        writer.write(insert(1), records("k1"), throwing);
        writer.write(insert(2), records("k2"), inFlight);

        producer.completeNext(); // kafka-clients calls callbacks on its I/O thread and only logs what they throw
        producer.completeNext();
        writer.write(insert(3), records("k3"), later);

        assertThat(throwing.calls).hasValue(1);
        assertThat(inFlight.calls).hasValue(1);
        assertThat(inFlight.durable).isFalse();
        assertThat(inFlight.failure).hasMessageContaining("a write callback of the Kafka sink threw java.lang.IllegalStateException: the stream went back");
        assertThat(later.failure).hasMessageContaining("the stream went back");
        assertThatThrownBy(writer::flush).isInstanceOf(SinkException.class).hasMessageContaining("the stream went back");
    }

    @Test
    void aFailureCallbackThatThrowsIsCalledOnce() {
        RecordingCallback throwing = new RecordingCallback("throwing") {
            @Override
            public void onFailure(Throwable error) {
                super.onFailure(error);
                throw new IllegalStateException("listener broke");
            }
        };
        writer.write(insert(1), records("k1", "k2"), throwing);

        producer.errorNext(new KafkaException("broken"));
        producer.errorNext(new KafkaException("broken again"));

        assertThat(throwing.calls).hasValue(1);
    }

    @Test
    void flushOfAFailedWriterReturnsAtOnceWithTheFailure() {
        MockProducer<byte[], byte[]> blocking = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized void flush() {
                throw new AssertionError("flush would wait for records that can no longer be acknowledged");
            }
        };
        AtLeastOnceWriter failing = new AtLeastOnceWriter(blocking, new RecordRouter(Map.of(USERS, "users")), (topic, usedFor) -> { },
                Duration.ofSeconds(1));
        failing.write(insert(1), records("k1"), new RecordingCallback("a"));
        failing.write(insert(2), records("k2"), new RecordingCallback("b"));
        blocking.errorNext(new KafkaException("broken"));

        assertThatThrownBy(failing::flush).isInstanceOf(SinkException.class).hasMessageContaining("broken");
    }

    @Test
    void flushAnswersAnInterruptWithInterruptedException() {
        MockProducer<byte[], byte[]> interrupted = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized void flush() {
                throw new InterruptException("Flush interrupted.", new InterruptedException());
            }
        };
        AtLeastOnceWriter waiting = new AtLeastOnceWriter(interrupted, new RecordRouter(Map.of(USERS, "users")), (topic, usedFor) -> { },
                Duration.ofSeconds(1));
        waiting.write(insert(1), records("k1"), new RecordingCallback("a"));

        assertThatThrownBy(waiting::flush).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).as("the flag travels in the InterruptedException").isFalse();
    }
}
