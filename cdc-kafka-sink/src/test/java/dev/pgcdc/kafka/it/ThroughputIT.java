package dev.pgcdc.kafka.it;

import static dev.pgcdc.kafka.it.Pipelines.awaitAcknowledged;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.OperatingSystemMXBean;
import dev.pgcdc.api.event.TableId;
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
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How fast the pipeline moves the seed-like workload through the JSON handler into the local broker,
 * and what CPU the test JVM (source, handler, producer; not the broker) spends per million events.
 * Prints the numbers; asserts only that everything was acknowledged. The broker shares the machine.
 */
class ThroughputIT {

    private static final int COUNT = 200_000;

    private final KafkaCluster kafka = TestKafka.shared();

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void measuresEventsPerSecondToTheLocalBroker(boolean exactlyOnce) {
        TableId table = new TableId("public", TestNames.unique("t"));
        String topic = kafka.createTopic(TestNames.unique("throughput"), 3);
        ScriptedSource source = new ScriptedSource(COUNT, new Workload(table, 10_000)::event);
        KafkaSinkSettings settings = KafkaSinkSettings.builder().bootstrapServers(kafka.bootstrapServers()).mapTable(table, topic)
                .exactlyOnce(exactlyOnce).transactionalId("pgcdc-" + TestNames.unique("slot")).offsetsTopic(TestNames.unique("offsets"))
                .build();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

        long cpuBefore = os.getProcessCpuTime();
        long started = System.nanoTime();
        try (Pipeline pipeline = Pipelines.start("throughput", source, new JsonChangeHandler(JsonHandlerSettings.defaults()),
                new KafkaSink(settings))) {
            awaitAcknowledged(pipeline, source, COUNT, Duration.ofMinutes(3));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpuSeconds = (os.getProcessCpuTime() - cpuBefore) / 1e9;

        System.out.printf("pgcdc-kafka-sink: %s: %d events in %.2f s = %.0f events/s; test JVM CPU %.1f s per 1M events%n",
                exactlyOnce ? "exactly-once" : "at-least-once", COUNT, seconds, COUNT / seconds, cpuSeconds * 1_000_000 / COUNT);
        assertThat(source.confirmedLsn()).isEqualTo(Workload.lsnOf(COUNT));
    }
}
