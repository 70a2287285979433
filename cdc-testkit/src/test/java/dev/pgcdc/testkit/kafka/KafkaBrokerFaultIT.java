package dev.pgcdc.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.testkit.TestNames;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaBrokerFaultIT {
    private static KafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.builder().start();
    }

    @AfterAll
    static void close() {
        broker.close();
    }

    @Test
    void keepsAWrittenRecordAcrossAKillAndARestart() {
        String topic = broker.createTopic(TestNames.unique("fault"));
        broker.send(topic, "k", "written-before-the-kill");
        long pid = broker.pid();

        broker.kill();
        assertThat(ProcessHandle.of(pid)).isEmpty();
        long started = System.nanoTime();
        broker.restart();
        System.out.println("pgcdc-testkit: broker back after kill -9 in "
                + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");

        assertThat(broker.readAll(topic)).extracting(ConsumerRecord::value).containsExactly("written-before-the-kill");
        broker.send(topic, "k", "written-after-the-restart");
        assertThat(broker.readAll(topic)).hasSize(2);
    }

    @Test
    void comesBackAfterAControlledStop() {
        String topic = broker.createTopic(TestNames.unique("stop"));
        broker.send(topic, "k", "v");

        broker.stop();
        assertThat(broker.isRunning()).isFalse();
        long started = System.nanoTime();
        broker.restart();
        System.out.println("pgcdc-testkit: broker back after SIGTERM in "
                + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");

        assertThat(broker.readAll(topic)).hasSize(1);
    }
}
