package dev.pgcdc.it.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.it.security.LeastPrivilegeDatabase.Grant;
import dev.pgcdc.it.security.LeastPrivilegeDatabase.Setup;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.PgcdcProcess.Outcome;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The roles of docs/security.md, as the packaged service meets them: a role that is no superuser (as on
 * a managed PostgreSQL) with exactly the documented grants streams changes to Kafka, with the publication
 * and replica identity a DBA prepared, or with the ones pgcdc makes when the role owns the tables; a role
 * lacking one grant fails (or, for the heartbeat, warns) with a message that names what is missing.
 * {@code PUBLIC} holds no rights in the test's database, so nothing is granted by accident.
 */
@TestEnvironment
class LeastPrivilegeEndToEndIT {

    private static final Duration EXIT_WITHIN = Duration.ofSeconds(90);
    private static final int FAILED = 1;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service's output
    Path directory;

    @Test
    void aRoleWithTheDocumentedGrantsStreamsFromThePublicationADbaPrepared(PostgresDatabase postgres, KafkaCluster kafka) {
        try (LeastPrivilegeDatabase db = LeastPrivilegeDatabase.create(postgres, Setup.DBA_PREPARED)) {
            String topic = kafka.createTopic(TestNames.unique("least"));

            try (PgcdcProcess service = startStreaming(db, config(db, false, kafka).table(db.table(), topic), "dba-prepared")) {
                List<ChangeRecord> records = writeAndRead(service, db, kafka, topic);
                assertThat(records.get(3).before().path("note").asText()).as("old note in the update (FULL identity, set by the DBA)")
                        .isEqualTo("two");
                service.awaitWhileRunning("a heartbeat row written by " + db.role(), Duration.ofSeconds(30),
                        () -> db.asSuperuser().queryValue(Long.class, "SELECT count(*) FROM public." + db.heartbeatTable()) == 1);
                assertThat(service.stdout()).as("the service's log").doesNotContain("heartbeat to").doesNotContain("ERROR");
                assertSlotHolderVisible(db);
                service.stopGracefully(Duration.ofSeconds(60));
            }
        }
    }

    /**
     * What a passive instance's slot check reads (cdc-coordination's JdbcSlotLiveness) while this one streams:
     * as the same role, with the grants of the recipe only, the slot's holder with its {@code application_name}
     * and client address; as a role without {@code pg_read_all_stats}, the holder and its name but no address.
     */
    private static void assertSlotHolderVisible(LeastPrivilegeDatabase db) {
        String query = "SELECT s.active, s.active_pid, r.client_addr::text AS client_addr, r.application_name FROM pg_catalog.pg_replication_slots s"
                + " LEFT JOIN pg_catalog.pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = ?";
        Map<String, Object> sameRole = db.asRole().query(query, db.slot()).get(0);
        assertThat(sameRole.get("active")).as("as %s: %s", db.role(), sameRole).isEqualTo(true);
        assertThat(sameRole.get("active_pid")).as("as %s: %s", db.role(), sameRole).isNotNull();
        assertThat((String) sameRole.get("application_name")).as("as %s: %s", db.role(), sameRole).startsWith("pgcdc ");
        assertThat(sameRole.get("client_addr")).as("as %s: %s", db.role(), sameRole).isNotNull();

        String other = TestNames.unique("other_role");
        db.asSuperuser().execute("CREATE ROLE " + other + " LOGIN PASSWORD 'other'", "GRANT CONNECT ON DATABASE "
                + db.asSuperuser().database() + " TO " + other);
        try {
            Map<String, Object> otherRole = new RoleLogin(db.asSuperuser(), other, "other").query(query, db.slot()).get(0);
            assertThat(otherRole.get("active_pid")).as("as %s: %s", other, otherRole).isEqualTo(sameRole.get("active_pid"));
            assertThat(otherRole.get("application_name")).as("as %s: %s", other, otherRole).isEqualTo(sameRole.get("application_name"));
            assertThat(otherRole.get("client_addr")).as("as %s: %s", other, otherRole).isNull();
        } finally {
            db.asSuperuser().execute("DROP OWNED BY " + other, "DROP ROLE " + other);
        }
    }

    @Test
    void withoutSelectOnTheCapturedTableStreamingStillWorks(PostgresDatabase postgres, KafkaCluster kafka) {
        try (LeastPrivilegeDatabase db = LeastPrivilegeDatabase.create(postgres, Setup.DBA_PREPARED, Grant.TABLE_SELECT)) {
            String topic = kafka.createTopic(TestNames.unique("least"));

            try (PgcdcProcess service = startStreaming(db, config(db, false, kafka).table(db.table(), topic), "no-select")) {
                writeAndRead(service, db, kafka, topic);
                service.stopGracefully(Duration.ofSeconds(60));
            }
        }
    }

    @Test
    void aRoleThatOwnsTheTablesAndMayCreateInTheDatabaseGetsThePublicationAndReplicaIdentityMade(PostgresDatabase postgres,
            KafkaCluster kafka) {
        try (LeastPrivilegeDatabase db = LeastPrivilegeDatabase.create(postgres, Setup.PGCDC_MANAGED)) {
            String topic = kafka.createTopic(TestNames.unique("least"));

            try (PgcdcProcess service = startStreaming(db, config(db, true, kafka).table(db.table(), "FULL", topic), "pgcdc-managed")) {
                assertThat(db.asSuperuser().queryValue(String.class, "SELECT string_agg(tablename, ',' ORDER BY tablename) "
                        + "FROM pg_publication_tables WHERE pubname = ?", db.publication()))
                        .as("tables of the publication pgcdc created").isEqualTo(String.join(",", List.of(db.heartbeatTable(), db.table())
                                .stream().sorted().toList()));
                assertThat(db.asSuperuser().queryValue(String.class, "SELECT relreplident::text FROM pg_class WHERE oid = ?::regclass",
                        "public." + db.table())).as("replica identity pgcdc set").isEqualTo("f");
                writeAndRead(service, db, kafka, topic);
                service.stopGracefully(Duration.ofSeconds(60));
            }
        }
    }

    @Test
    void withoutTheReplicationAttributeTheStartFailsNamingItAndTheAlterRoleToRun(PostgresDatabase postgres, KafkaCluster kafka) {
        try (LeastPrivilegeDatabase db = LeastPrivilegeDatabase.create(postgres, Setup.DBA_PREPARED, Grant.REPLICATION)) {
            Outcome outcome = runToExit(db, false, kafka, "no-replication");

            assertThat(outcome.errorLines()).as("%s", outcome).singleElement().asString()
                    .startsWith("pgcdc: cannot start:")
                    .contains("role \"" + db.role() + "\" lacks the REPLICATION attribute", "ALTER ROLE \"" + db.role() + "\" WITH REPLICATION;",
                            "GRANT rds_replication TO \"" + db.role() + "\";");
        }
    }

    @Test
    void withoutConnectOnTheDatabaseTheStartFailsWithTheServersPermissionError(PostgresDatabase postgres, KafkaCluster kafka) {
        try (LeastPrivilegeDatabase db = LeastPrivilegeDatabase.create(postgres, Setup.DBA_PREPARED, Grant.CONNECT)) {
            Outcome outcome = runToExit(db, false, kafka, "no-connect");

            // the server's error, with its detail line
            assertThat(outcome.errorLines()).as("%s", outcome).hasSize(2);
            assertThat(outcome.stderr()).as("%s", outcome).startsWith("pgcdc: cannot start:")
                    .contains("as user \"" + db.role() + "\"", "permission denied for database \"" + db.asSuperuser().database() + "\"",
                            "User does not have CONNECT privilege");
        }
    }

    @Test
    void withoutUsageOnTheSchemaTheStartFailsNamingTheSchema(PostgresDatabase postgres, KafkaCluster kafka) {
        try (LeastPrivilegeDatabase db = LeastPrivilegeDatabase.create(postgres, Setup.DBA_PREPARED, Grant.SCHEMA_USAGE)) {
            Outcome outcome = runToExit(db, false, kafka, "no-usage");

            assertThat(outcome.errorLines()).as("%s", outcome).singleElement().asString()
                    .startsWith("pgcdc: cannot start:")
                    .contains("heartbeat table public." + db.heartbeatTable(), "permission denied for schema public");
        }
    }

    @Test
    void aReplicaIdentityToSetOnATableTheRoleDoesNotOwnFailsTheStartWithTheStatementToRun(PostgresDatabase postgres,
            KafkaCluster kafka) {
        try (LeastPrivilegeDatabase db = LeastPrivilegeDatabase.create(postgres, Setup.DBA_PREPARED)) {
            // the DBA set FULL; configuring DEFAULT asks pgcdc to change it, which only the table's owner may
            Outcome outcome = runToExit(config(db, false, kafka).table(db.table(), "DEFAULT",
                    kafka.createTopic(TestNames.unique("least"))), "not-owner");

            assertThat(outcome.errorLines()).as("%s", outcome).singleElement().asString()
                    .startsWith("pgcdc: cannot start:")
                    .contains("cannot set the replica identity of", db.table(), "must be owner of table " + db.table(),
                            "Run as the table's owner: ALTER TABLE", "REPLICA IDENTITY DEFAULT");
        }
    }

    @Test
    void creatingThePublicationWithoutCreateOnTheDatabaseFailsTheStartWithTheStatementToRun(PostgresDatabase postgres,
            KafkaCluster kafka) {
        try (LeastPrivilegeDatabase db = LeastPrivilegeDatabase.create(postgres, Setup.PGCDC_MANAGED, Grant.CREATE_ON_DATABASE)) {
            Outcome outcome = runToExit(db, true, kafka, "no-create");

            assertThat(outcome.errorLines()).as("%s", outcome).singleElement().asString()
                    .startsWith("pgcdc: cannot start:")
                    .contains("cannot create publication \"" + db.publication() + "\"", "permission denied for database "
                            + db.asSuperuser().database(), "Run as a role that may create it and owns the tables: CREATE PUBLICATION \""
                            + db.publication() + "\"");
        }
    }

    @Test
    void withoutWritesOnTheHeartbeatTableTheServiceStreamsAndWarnsNamingTheTable(PostgresDatabase postgres, KafkaCluster kafka) {
        try (LeastPrivilegeDatabase db = LeastPrivilegeDatabase.create(postgres, Setup.DBA_PREPARED, Grant.HEARTBEAT_WRITE)) {
            String topic = kafka.createTopic(TestNames.unique("least"));
            ServiceConfig config = config(db, false, kafka).table(db.table(), topic);

            try (PgcdcProcess service = startStreaming(db, config, "no-heartbeat-write")) {
                // today this is a warning, repeated silently every interval, not a failed start: the heartbeat is not data
                assertThat(service.awaitLogLine("heartbeat to public." + db.heartbeatTable() + " failed", Duration.ofSeconds(30)))
                        .contains("permission denied for table " + db.heartbeatTable(), "trying again every interval");
                service.stopGracefully(Duration.ofSeconds(60));
            }
        }
    }

    /** The service as {@code db}'s role, its slot created by the service, the heartbeat on every second. */
    private static ServiceConfig config(LeastPrivilegeDatabase db, boolean createPublication, KafkaCluster kafka) {
        return ServiceConfig.of(db.asRole(), kafka).publication(db.publication(), createPublication).slot(db.slot(), true)
                .with("pgcdc.heartbeat.table = \"public." + db.heartbeatTable() + "\"")
                .with("pgcdc.heartbeat.interval = 1s");
    }

    /** Starts the service on {@code config} and waits until it streams from the slot. */
    private PgcdcProcess startStreaming(LeastPrivilegeDatabase db, ServiceConfig config, String name) {
        PgcdcProcess service = PgcdcProcess.run(config.writeTo(directory), directory, name);
        try {
            new ReplicationSlot(db.asSuperuser(), db.slot()).awaitStreamingBy(service, Duration.ofSeconds(60));
        } catch (RuntimeException | AssertionError e) {
            service.close();
            throw e;
        }
        return service;
    }

    /** Writes the five changes, waits until the slot has confirmed them, and returns the topic's records: those five, in order. */
    private static List<ChangeRecord> writeAndRead(PgcdcProcess service, LeastPrivilegeDatabase db, KafkaCluster kafka, String topic) {
        writeChanges(db);
        new ReplicationSlot(db.asSuperuser(), db.slot()).awaitConfirmed(ReplicationSlot.currentWalLsn(db.asSuperuser()), service,
                Duration.ofSeconds(60));
        List<ChangeRecord> records = TopicReader.of(kafka).readAll(topic);
        assertThat(records).extracting(ChangeRecord::op).as("records in %s", topic).containsExactly("c", "c", "c", "u", "d");
        return records;
    }

    /** Runs the service as {@code db}'s role on its table until it exits, which must be with exit code 1. */
    private Outcome runToExit(LeastPrivilegeDatabase db, boolean createPublication, KafkaCluster kafka, String name) {
        return runToExit(config(db, createPublication, kafka).table(db.table(), kafka.createTopic(TestNames.unique("least"))), name);
    }

    private Outcome runToExit(ServiceConfig config, String name) {
        Outcome outcome = PgcdcProcess.execute(directory, name, EXIT_WITHIN, "run", "--config", config.writeTo(directory).toString());
        assertThat(outcome.exitCode()).as("%s", outcome).isEqualTo(FAILED);
        return outcome;
    }

    /** Three inserts, an update, a delete: five changes, each its own transaction, written by the superuser. */
    private static void writeChanges(LeastPrivilegeDatabase db) {
        String table = "public." + db.table();
        db.asSuperuser().execute("INSERT INTO " + table + " VALUES (1, 'one')", "INSERT INTO " + table + " VALUES (2, 'two')",
                "INSERT INTO " + table + " VALUES (3, 'three')", "UPDATE " + table + " SET note = 'two, changed' WHERE id = 2",
                "DELETE FROM " + table + " WHERE id = 3");
    }
}
