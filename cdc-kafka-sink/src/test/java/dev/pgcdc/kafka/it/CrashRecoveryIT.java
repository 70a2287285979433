package dev.pgcdc.kafka.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.kafka.Workload;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.kafka.TestKafka;
import dev.pgcdc.testkit.process.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector ({@link SinkProcess}, a child JVM) is killed with {@code kill -9} in the middle of a
 * 200k-change load and started again; it replays from its last confirmed position, as the service
 * does from its replication slot. Exactly-once mode: a {@code read_committed} consumer sees every
 * change exactly once, in order per key. Default mode: nothing is lost.
 */
class CrashRecoveryIT {

    private static final int COUNT = 200_000;

    private final KafkaCluster kafka = TestKafka.shared();

    @TempDir
    Path temp;

    @Test
    void exactlyOnceModeDeliversEveryChangeOnceAcrossAKill() throws Exception {
        Run run = crashAndRecover("exactly-once");

        List<ConsumerRecord<String, String>> records = kafka.readAllCommitted(run.topic);
        assertThat(records).hasSize(COUNT);
        Map<String, List<Long>> byKey = Records.seqsByKey(records);
        Records.assertStrictlyIncreasingPerKey(byKey);
        assertThat(allSeqs(byKey)).isEqualTo(expectedSeqs());
        // the restarted process replayed from the slot's older confirmed position and skipped what was committed since
        assertThat(run.committedAtRestart.commitLsn()).isGreaterThan(run.confirmedAtKill);
        System.out.printf("pgcdc-kafka-sink: exactly-once, killed at confirmed %s, restart found committed %s, %d records read_committed%n",
                run.confirmedAtKill, run.committedAtRestart, records.size());
    }

    @Test
    void defaultModeLosesNothingAcrossAKill() throws Exception {
        Run run = crashAndRecover("at-least-once");

        List<ConsumerRecord<String, String>> records = kafka.readAll(run.topic);
        Map<String, List<Long>> byKey = Records.seqsByKey(records);
        assertThat(allSeqs(byKey)).isEqualTo(expectedSeqs());
        // duplicates are allowed (replayed from the confirmed position), reordering is not: without the
        // repeats, each key's changes are in order
        byKey.values().forEach(seqs -> {
            Set<Long> seen = new HashSet<>();
            List<Long> firstOccurrences = seqs.stream().filter(seen::add).toList();
            assertThat(firstOccurrences).isSorted();
        });
        System.out.printf("pgcdc-kafka-sink: at-least-once, killed at confirmed %s, %d records for %d changes%n",
                run.confirmedAtKill, records.size(), COUNT);
    }

    private Run crashAndRecover(String mode) throws Exception {
        String topic = kafka.createTopic(TestNames.unique("crash"), 3);
        String table = "public." + TestNames.unique("t");
        String transactionalId = "pgcdc-" + TestNames.unique("slot");
        String offsets = TestNames.unique("offsets");
        Path state = temp.resolve("slot.state");
        List<String> arguments = List.of(kafka.bootstrapServers(), topic, table, mode, transactionalId, offsets,
                String.valueOf(COUNT), state.toString());

        try (ChildJvm first = launch(arguments, temp.resolve("first.log"))) {
            Lsn third = Workload.lsnOf(COUNT / 3);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(10)).until(() -> {
                assertThat(first.isAlive()).as("first run still running; its log: %s", log(temp.resolve("first.log"))).isTrue();
                return confirmed(state).compareTo(third) >= 0;
            });
            // kill between two saves of the state, as a real crash would: the slot's position then lags behind Kafka
            await().pollDelay(Duration.ofMillis(120)).atMost(Duration.ofSeconds(1)).until(() -> true);
            first.kill(); // SIGKILL, returns once the process is gone
        }
        Lsn confirmedAtKill = confirmed(state);
        assertThat(confirmedAtKill).isLessThan(Workload.lsnOf(COUNT));

        try (ChildJvm second = launch(arguments, temp.resolve("second.log"))) {
            assertThat(second.awaitExit(Duration.ofMinutes(4))).as("second run's exit code; its log: %s", second.tail()).isZero();
        }
        String secondLog = log(temp.resolve("second.log"));
        assertThat(confirmed(state)).isEqualTo(Workload.lsnOf(COUNT));
        String committed = secondLog.lines().filter(line -> line.startsWith("committed-position ")).findFirst().orElseThrow()
                .substring("committed-position ".length());
        Position committedAtRestart = committed.equals("none") ? new Position(Lsn.INVALID, 0) : Position.parse(committed);
        return new Run(topic, confirmedAtKill, committedAtRestart);
    }

    private static ChildJvm launch(List<String> arguments, Path log) {
        return ChildJvm.of(log.getFileName().toString(), SinkProcess.class.getName()).classPath(ChildJvm.testClassPath())
                .jvmOptions("-Xmx256m", "-XX:+UseSerialGC").args(arguments).output(log).start();
    }

    private static Lsn confirmed(Path state) throws IOException {
        return Files.exists(state) ? Lsn.parse(Files.readString(state, StandardCharsets.UTF_8).trim()) : Lsn.INVALID;
    }

    private static String log(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static Set<Long> allSeqs(Map<String, List<Long>> byKey) {
        return byKey.values().stream().flatMap(List::stream).collect(Collectors.toSet());
    }

    private static Set<Long> expectedSeqs() {
        return LongStream.rangeClosed(1, COUNT).boxed().collect(Collectors.toSet());
    }

    private record Run(String topic, Lsn confirmedAtKill, Position committedAtRestart) {
    }
}
