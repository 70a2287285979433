package dev.pgcdc.testkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/** What the fixture drops after a test: everything named for it, also a slot a walsender still streams from. */
class CaptureFixtureIT {

    @Test
    void dropsAnActiveSlotThePublicationTheTablesAndTheRoles() throws Exception {
        CaptureFixture capture = CaptureFixture.named("fixture");
        capture.beforeEach(null);
        PostgresDatabase db = capture.db();
        String other = capture.table("other");
        String role = capture.role("fixture_role");
        db.execute("CREATE TABLE " + capture.table() + " (id int PRIMARY KEY)", "CREATE TABLE " + other + " (id int)",
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + capture.table(), "CREATE ROLE " + role);
        db.query("SELECT pg_create_logical_replication_slot(?, 'pgoutput')::text", capture.slot());
        try (Connection replication = db.connectForReplication()) {
            startStreaming(replication, capture);
            assertThat(activeWalsenders(db, capture.slot())).isEqualTo(1L);

            capture.afterEach(null);

            assertThat(db.queryValue(Long.class, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?", capture.slot())).isZero();
            assertThat(db.queryValue(Long.class, "SELECT count(*) FROM pg_publication WHERE pubname = ?", capture.publication())).isZero();
            assertThat(db.queryValue(Long.class, "SELECT count(*) FROM pg_class WHERE relname IN (?, ?)", capture.table(), other)).isZero();
            assertThat(db.queryValue(Long.class, "SELECT count(*) FROM pg_roles WHERE rolname = ?", role)).isZero();
        }
    }

    @Test
    void dropsItsOwnDatabaseWithAnActiveSlotInIt() throws Exception {
        CaptureFixture capture = CaptureFixture.inOwnDatabase("fixture");
        capture.beforeEach(null);
        PostgresDatabase own = capture.db();
        assertThat(own.database()).isNotEqualTo(TestPostgres.shared().database());
        own.execute("CREATE TABLE " + capture.table() + " (id int PRIMARY KEY)",
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + capture.table());
        own.query("SELECT pg_create_logical_replication_slot(?, 'pgoutput')::text", capture.slot());
        try (Connection replication = own.connectForReplication()) {
            startStreaming(replication, capture);
            capture.afterEach(null);

            PostgresDatabase server = TestPostgres.shared();
            assertThat(server.queryValue(Long.class, "SELECT count(*) FROM pg_database WHERE datname = ?", own.database())).isZero();
            assertThat(server.queryValue(Long.class, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?", capture.slot())).isZero();
        }
    }

    /** Starts a walsender on the fixture's slot; the stream is left open (the fixture ends it), the connection closed by the caller. */
    private static void startStreaming(Connection replication, CaptureFixture capture) throws Exception {
        replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                .withSlotName(capture.slot())
                .withSlotOption("proto_version", 1)
                .withSlotOption("publication_names", capture.publication())
                .start();
    }

    private static long activeWalsenders(PostgresDatabase db, String slot) {
        return db.queryValue(Long.class, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL", slot);
    }
}
