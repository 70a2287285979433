package dev.pgcdc.it.runbooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.PgcdcProcess.Outcome;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.it.service.ServiceFixture;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runbook "A table added to or removed from the publication while running" of docs/operations.md,
 * followed step by step against the packaged service. A table a DBA adds to the publication while pgcdc
 * streams is decoded and dropped (it is not in {@code publication.tables}), and the slot moves past its
 * changes: once it is configured and pgcdc restarted, only its later changes arrive, and the rows from
 * before are brought over by an update that changes nothing. A table dropped from the publication while
 * pgcdc streams sends nothing more and pgcdc streams on; a restart with the table still configured and
 * {@code create-if-not-exists = false} refuses to start, naming the statement to run.
 */
@TestEnvironment
class PublicationChangeWhileStreamingEndToEndIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final ServiceFixture service = ServiceFixture.named("captured");

    @Test
    void aTableAddedOrRemovedWhileStreaming(PostgresDatabase postgres, KafkaCluster kafka) {
        String captured = service.table();
        String added = service.table("added");
        String publication = service.publication();
        postgres.execute("CREATE TABLE " + captured + " (id integer PRIMARY KEY, name text)",
                "CREATE TABLE " + added + " (id integer PRIMARY KEY, name text)");
        String capturedTopic = service.topic();
        String addedTopic = service.topic("added");
        ServiceConfig config = service.config();
        ReplicationSlot slot = service.slot();
        TopicReader reader = TopicReader.of(kafka);

        // 1. added by a DBA while pgcdc streams, not configured: decoded, dropped, and the slot moves past it
        try (PgcdcProcess notConfigured = service.start("not-configured")) {
            postgres.execute("ALTER PUBLICATION " + publication + " ADD TABLE " + added,
                    "INSERT INTO " + added + " VALUES (1, 'before it was configured')",
                    "INSERT INTO " + captured + " VALUES (1, 'a')");
            Lsn end = ReplicationSlot.currentWalLsn(postgres);
            reader.awaitAtLeast(capturedTopic, 1, WAIT);
            slot.awaitConfirmed(end, notConfigured, WAIT);
            assertThat(notConfigured.isAlive()).as("still streaming\n%s", notConfigured.tail()).isTrue();
            notConfigured.stopGracefully(WAIT);
        }
        assertThat(reader.readAll(addedTopic)).as("records of the table pgcdc does not capture").isEmpty();

        // 2. configured (publication.tables and its topic) and restarted: its changes from then on arrive;
        //    the rows written before are brought over by an update that changes nothing
        config.table(added, addedTopic);
        try (PgcdcProcess configured = service.start("configured")) {
            postgres.execute("INSERT INTO " + added + " VALUES (2, 'after')");
            List<ChangeRecord> after = reader.awaitAtLeast(addedTopic, 1, WAIT);
            assertThat(after).as("only the row written after the restart").singleElement()
                    .satisfies(record -> assertThat(record.after().get("id").asInt()).isEqualTo(2));

            postgres.execute("UPDATE " + added + " SET id = id WHERE id <= 2");
            List<ChangeRecord> all = reader.awaitAtLeast(addedTopic, 3, WAIT);
            assertThat(all.subList(1, 3)).extracting(ChangeRecord::op).containsOnly("u");
            assertThat(all.subList(1, 3)).extracting(record -> record.after().get("name").asText())
                    .containsExactlyInAnyOrder("before it was configured", "after");

            // 3. removed by a DBA while pgcdc streams: nothing more from it, the rest streams on
            postgres.execute("ALTER PUBLICATION " + publication + " DROP TABLE " + added,
                    "INSERT INTO " + added + " VALUES (3, 'after the removal')",
                    "INSERT INTO " + captured + " VALUES (2, 'b')");
            Lsn end = ReplicationSlot.currentWalLsn(postgres);
            reader.awaitAtLeast(capturedTopic, 2, WAIT);
            slot.awaitConfirmed(end, configured, WAIT);
            assertThat(configured.isAlive()).as("still streaming\n%s", configured.tail()).isTrue();
            assertThat(reader.readAll(addedTopic)).as("records of the removed table").hasSize(3);
            configured.stopGracefully(WAIT);
        }

        // 4. a restart with the removed table still configured and create-if-not-exists = false refuses to start
        config.publication(publication, false);
        Outcome restart = service.runToEnd("still-configured");
        assertThat(restart.exitCode()).as("%s", restart).isNotZero();
        assertThat(restart.stderr()).as("%s", restart).contains(added).contains("ALTER PUBLICATION");
    }
}
