package dev.pgcdc.kafka.it;

import static dev.pgcdc.kafka.it.Pipelines.awaitAcknowledged;
import static dev.pgcdc.kafka.it.Pipelines.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.json.JsonChangeHandler;
import dev.pgcdc.json.JsonHandlerSettings;
import dev.pgcdc.kafka.KafkaSink;
import dev.pgcdc.kafka.KafkaSinkSettings;
import dev.pgcdc.kafka.Workload;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaBroker;
import dev.pgcdc.testkit.source.ScriptedSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The sink while its broker is killed ({@code kill -9}) and restarted: retried, never dropped, in order. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerFaultIT {

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.builder().start();
    }

    @BeforeEach
    void brokerIsUp() {
        if (!broker.isRunning()) {
            broker.restart();
        }
    }

    @AfterAll
    static void closeBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(1)
    void aBrokerKilledAndRestartedMidStreamLosesNothingAndKeepsEachKeysOrder() {
        TableId table = new TableId("public", TestNames.unique("t"));
        String topic = broker.createTopic(TestNames.unique("fault"), 3);
        int count = 30_000;
        // about 3 s of load: 300 events every 30 ms
        ScriptedSource source = new ScriptedSource(count, new Workload(table, 500)::event, Lsn.INVALID, Duration.ofMillis(30));
        KafkaSink sink = new KafkaSink(KafkaSinkSettings.builder().bootstrapServers(broker.bootstrapServers()).mapTable(table, topic).build());

        try (Pipeline pipeline = Pipelines.start("broker-restart", source, new JsonChangeHandler(JsonHandlerSettings.defaults()), sink,
                dev.pgcdc.api.pipeline.PipelineSettings.builder().pollBatchSize(300).build())) {
            awaitAcknowledged(pipeline, source, count / 5, Duration.ofSeconds(60));
            broker.kill();
            long acknowledgedAtKill = source.acknowledgedCount();
            // the stream goes on against a dead broker for a while: the producer buffers, then send blocks
            await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
            broker.restart();
            awaitAcknowledged(pipeline, source, count, Duration.ofSeconds(120));
            assertThat(acknowledgedAtKill).isLessThan(count);
        }

        List<ConsumerRecord<String, String>> records = broker.readAll(topic);
        Map<String, List<Long>> byKey = Records.seqsByKey(records);
        Records.assertStrictlyIncreasingPerKey(byKey);
        assertThat(byKey.values().stream().flatMap(List::stream).collect(Collectors.toSet()))
                .isEqualTo(LongStream.rangeClosed(1, count).boxed().collect(Collectors.toSet()));
        assertThat(records).as("the idempotent producer writes each record once").hasSize(count);
        assertThat(source.confirmedLsn()).isEqualTo(Workload.lsnOf(count));
    }

    @Test
    @Order(2)
    void aBrokerDownLongerThanTheDeliveryTimeoutStopsThePipelineAndAcknowledgesNothingThatIsNotStored() {
        TableId table = new TableId("public", TestNames.unique("t"));
        String topic = broker.createTopic(TestNames.unique("down"));
        ScriptedSource source = new ScriptedSource(50_000, new Workload(table, 100)::event, Lsn.INVALID, Duration.ofMillis(20));
        KafkaSink sink = new KafkaSink(KafkaSinkSettings.builder().bootstrapServers(broker.bootstrapServers()).mapTable(table, topic)
                .requestTimeout(Duration.ofSeconds(2)).deliveryTimeout(Duration.ofSeconds(6)).build());

        Pipeline pipeline = Pipelines.start("broker-down", source, new JsonChangeHandler(JsonHandlerSettings.defaults()), sink,
                dev.pgcdc.api.pipeline.PipelineSettings.builder().pollBatchSize(100).build());
        awaitAcknowledged(pipeline, source, 500, Duration.ofSeconds(60));
        long killed = System.nanoTime();
        broker.kill();
        awaitFailure(pipeline, Duration.ofSeconds(60));
        Duration failedAfter = Duration.ofNanos(System.nanoTime() - killed);
        Lsn confirmed = source.confirmedLsn();
        List<Position> acknowledged = source.acknowledgedPositions();

        // the oldest record not acknowledged was written just before the kill: it expires 6 s later
        assertThat(failedAfter).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(20));

        assertThat(pipeline.failure()).get().isInstanceOf(SinkException.class)
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE)
                .hasMessageContaining("for topic " + topic)
                .hasMessageContaining("org.apache.kafka.common.errors.TimeoutException")
                .hasMessageContaining("pgcdc.kafka.delivery-timeout");
        broker.restart();
        List<ConsumerRecord<String, String>> stored = broker.readAll(topic);
        long storedUpTo = stored.stream().mapToLong(Records::seq).max().orElse(0);
        // every acknowledged event is in the topic: nothing acknowledged was lost
        assertThat(stored.stream().map(Records::seq).collect(Collectors.toSet()))
                .containsAll(acknowledged.stream().map(position -> position.commitLsn().value() / 64).toList());
        assertThat(confirmed.value() / 64).isLessThanOrEqualTo(storedUpTo);
        assertThat(acknowledged.size()).isLessThan((int) source.emitted());
    }

    @Test
    @Order(3)
    void aBrokerThatDoesNotAnswerFailsTheRequestAfterTheRequestTimeout() {
        TableId table = new TableId("public", TestNames.unique("t"));
        String topic = broker.createTopic(TestNames.unique("frozen"));
        ScriptedSource source = new ScriptedSource(50_000, new Workload(table, 100)::event, Lsn.INVALID, Duration.ofMillis(20));
        // one attempt: the first request that times out fails its records, long before the delivery timeout
        KafkaSinkSettings.Builder settings = KafkaSinkSettings.builder().bootstrapServers(broker.bootstrapServers()).mapTable(table, topic)
                .requestTimeout(Duration.ofSeconds(2)).maxAttempts(1).deliveryTimeout(Duration.ofSeconds(60));

        Pipeline pipeline = Pipelines.start("broker-frozen", source, new JsonChangeHandler(JsonHandlerSettings.defaults()),
                new KafkaSink(settings.build()), dev.pgcdc.api.pipeline.PipelineSettings.builder().pollBatchSize(100).build());
        try {
            awaitAcknowledged(pipeline, source, 500, Duration.ofSeconds(60));
            long frozen = System.nanoTime();
            broker.freeze();
            // the failure, not the pipeline's end: its drain flushes the producer, which waits while the broker is frozen
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> pipeline.failure().isPresent());
            Duration failedAfter = Duration.ofNanos(System.nanoTime() - frozen);

            assertThat(pipeline.failure()).get().isInstanceOf(SinkException.class)
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE)
                    .hasMessageContaining("for topic " + topic)
                    .hasMessageContaining("org.apache.kafka.common.errors.TimeoutException");
            assertThat(failedAfter).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(8));

            // the sink's start asks the frozen broker for its topics: no answer within request-timeout either
            KafkaSink starting = new KafkaSink(settings.build());
            long startedAt = System.nanoTime();
            assertThatThrownBy(starting::start).isInstanceOf(SinkException.class)
                    .hasMessageContaining("on Kafka at " + broker.bootstrapServers() + ": no answer within 2s (pgcdc.kafka.request-timeout)");
            assertThat(Duration.ofNanos(System.nanoTime() - startedAt)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(8));
            starting.close();
        } finally {
            broker.thaw();
            pipeline.close();
        }
    }

    @Test
    @Order(4)
    void againstAFrozenBrokerFlushAnswersAnInterruptAndCloseIsBoundedInBothModes() throws Exception {
        for (boolean exactlyOnce : List.of(false, true)) {
            TableId table = new TableId("public", TestNames.unique("t"));
            String topic = TestNames.unique("shutdown");
            // a long delivery timeout: without an interrupt, flush would wait for it (the service's shutdown-timeout interrupts);
            // the sink creates the topic (right after a thaw the broker may not list a topic the controller just created)
            KafkaSink sink = new KafkaSink(KafkaSinkSettings.builder().bootstrapServers(broker.bootstrapServers()).mapTable(table, topic)
                    .allowAutoTopicCreation(true).requestTimeout(Duration.ofSeconds(2)).deliveryTimeout(Duration.ofMinutes(2)).linger(Duration.ofMinutes(1))
                    .transactionInterval(Duration.ofMinutes(1)).batchSize(1000).exactlyOnce(exactlyOnce).transactionalId("pgcdc-" + TestNames.unique("slot"))
                    .offsetsTopic(TestNames.unique("offsets")).build());
            sink.start();
            Workload workload = new Workload(table, 10);
            JsonChangeHandler json = new JsonChangeHandler(JsonHandlerSettings.defaults());
            List<RecordingOutcome> outcomes = new java.util.ArrayList<>();
            // one write while the broker answers, so that the producer knows the topic's metadata and send() does not block
            RecordingOutcome first = new RecordingOutcome();
            sink.write(workload.event(1), json.handle(workload.event(1)), first);
            sink.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> first.durable);
            broker.freeze();
            try {
                for (int n = 2; n <= 20; n++) {
                    RecordingOutcome outcome = new RecordingOutcome();
                    sink.write(workload.event(n), json.handle(workload.event(n)), outcome);
                    outcomes.add(outcome);
                }
                java.util.concurrent.CompletableFuture<Throwable> flushed = new java.util.concurrent.CompletableFuture<>();
                Thread flusher = new Thread(() -> {
                    try {
                        sink.flush();
                        flushed.complete(null);
                    } catch (Throwable e) {
                        flushed.complete(e);
                    }
                }, "flusher");
                flusher.start();
                await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
                assertThat(flushed).as("flush waits while the broker is frozen").isNotDone();
                long interrupted = System.nanoTime();
                flusher.interrupt();

                assertThat(flushed.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("exactly-once %s", exactlyOnce)
                        .isInstanceOf(InterruptedException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - interrupted)).isLessThan(Duration.ofSeconds(5));
                long closing = System.nanoTime();
                sink.close();
                // request-timeout (2 s) for the producer and for the admin client, and a margin for a loaded machine
                assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(15));
                await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.stream().allMatch(RecordingOutcome::settled));
                assertThat(outcomes).as("nothing is acknowledged that the frozen broker did not store")
                        .noneMatch(outcome -> outcome.durable);
            } finally {
                broker.thaw();
                sink.close();
            }
        }
    }

    /** A write callback that remembers how it ended. */
    private static final class RecordingOutcome implements dev.pgcdc.api.sink.Sink.WriteCallback {
        volatile boolean durable;
        volatile Throwable failure;

        @Override
        public void onDurable() {
            durable = true;
        }

        @Override
        public void onFailure(Throwable error) {
            failure = error;
        }

        boolean settled() {
            return durable || failure != null;
        }
    }
}
