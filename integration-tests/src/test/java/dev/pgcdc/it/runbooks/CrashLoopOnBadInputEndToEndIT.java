package dev.pgcdc.it.runbooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.MetricsScrape;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.PgcdcProcess.Outcome;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.it.service.ServiceFixture;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runbook "Crash loop on bad input" of docs/operations.md, followed step by step: a row the handler
 * cannot map (a numeric NaN under the Debezium envelope's precise decimals) stops the service with exit 1
 * and a line naming the column and the reason, and every restart stops on it again; with
 * {@code error-policy = dead-letter} the next start writes that event to the dead-letter topic, counts it
 * in {@code pgcdc_err_total} and streams on, the rows before and after it in their topic.
 */
@TestEnvironment
class CrashLoopOnBadInputEndToEndIT {

    private static final int FAILED = 1;

    @RegisterExtension
    final ServiceFixture service = ServiceFixture.named("amounts");

    @Test
    void aRowTheHandlerCannotMapLoopsUntilTheDeadLetterPolicyTakesItAside(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = service.table();
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, amount numeric(10, 2))");
        String topic = service.topic();
        String deadLetters = service.topic("dead_letters");
        ServiceConfig config = service.config().with("pgcdc.handler.json.envelope = debezium");
        ReplicationSlot slot = service.slot();
        String failure;
        try (PgcdcProcess first = service.start("first")) {
            postgres.execute("INSERT INTO " + table + " VALUES (1, 1.50)", "INSERT INTO " + table + " VALUES (2, 'NaN')",
                    "INSERT INTO " + table + " VALUES (3, 2.50)");
            assertThat(first.awaitExit(Duration.ofSeconds(60))).as("exit code\n%s", first.tail()).isEqualTo(FAILED);
            failure = first.stderr().lines().findFirst().orElse("");
        }
        Lsn end = ReplicationSlot.currentWalLsn(postgres);
        assertThat(failure).as("the error line").startsWith("pgcdc: failed:")
                .contains("column \"amount\" holds NaN", "decimal.handling.mode = precise");

        Outcome restart = service.runToEnd("restart");
        assertThat(restart.exitCode()).as("%s", restart).isEqualTo(FAILED);
        assertThat(restart.errorLines()).as("%s", restart).first().asString().contains("column \"amount\" holds NaN");

        config.with("pgcdc.pipeline.error-policy = dead-letter").with("pgcdc.pipeline.dead-letter-topic = \"" + deadLetters + "\"");
        try (PgcdcProcess third = service.start("dead-letter")) {
            int port = third.awaitHttpPort(Duration.ofSeconds(30));
            slot.awaitConfirmed(end, third, Duration.ofSeconds(60));

            Set<String> keys = TopicReader.of(kafka).readAll(topic).stream().map(ChangeRecord::keyText).collect(Collectors.toSet());
            assertThat(keys).as("keys in %s", topic).hasSize(2).allMatch(key -> key.contains("\"id\":1") || key.contains("\"id\":3"));
            // the event's JSON fails as the handler did, so the dead letter holds its text form, the error in headers
            assertThat(kafka.readAll(deadLetters)).as("records in the dead-letter topic").singleElement().satisfies(letter -> {
                assertThat(letter.value()).contains("amount=NaN");
                assertThat(new String(letter.headers().lastHeader("pgcdc.error.message").value(), StandardCharsets.UTF_8))
                        .contains("column \"amount\" holds NaN");
            });
            assertThat(MetricsScrape.of(port).value("pgcdc_err_total", "topic_name", topic)).as("errors counted for %s", topic)
                    .isEqualTo(1.0);
            third.stopGracefully(Duration.ofSeconds(60));
        }
    }
}
