package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.snapshot.ExportedSnapshot;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.snapshot.PgSnapshotExporter;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code slot.failover} on the configured server (17 by default, 14 in the repetition): on 17 the slot is
 * created with {@code failover} (also with an exported snapshot) and what the primary lacks is warned
 * about; before 17 the setting is a start error. The test server has no standby, so
 * {@code synchronized_standby_slots} is empty there.
 */
class FailoverSlotSettingsIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("fslot");
    private final PostgresDatabase db = capture.db();

    @Test
    void createsAFailoverSlotAndWarnsAboutWhatThePrimaryLacksOrRefusesBefore17() throws Exception {
        db.execute("CREATE TABLE " + capture.table() + " (id int PRIMARY KEY)");
        PostgresSourceSettings settings = SourceHarness.settings(capture).tables(capture.table()).slotFailover(true).build();
        if (db.serverMajorVersion() < 17) {
            assertThatThrownBy(() -> SourceHarness.start(settings).close()).isInstanceOf(SourceException.class)
                    .hasMessageStartingWith("slot.failover = true needs PostgreSQL 17 or newer (failover slots)");
            assertThat(db.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", capture.slot())).isEmpty();
            return;
        }
        String log = LogCapture.during(() -> SourceHarness.start(settings).close());
        assertThat(db.queryValue(Boolean.class, "SELECT failover FROM pg_replication_slots WHERE slot_name = ?", capture.slot())).isTrue();
        assertThat(log).contains("created replication slot " + capture.slot() + " (pgoutput, failover)",
                "synchronized_standby_slots is empty on the primary").doesNotContain("exists without failover");
    }

    @Test
    void anExistingSlotWithoutFailoverIsReportedWithTheCommandThatSwitchesIt() throws Exception {
        if (db.serverMajorVersion() < 17) {
            return; // the start error is the other test's
        }
        db.execute("CREATE TABLE " + capture.table() + " (id int PRIMARY KEY)");
        db.query("SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')", capture.slot());
        String log = LogCapture.during(() -> SourceHarness.start(SourceHarness.settings(capture).tables(capture.table())
                .slotFailover(true).build()).close());
        assertThat(log).contains("replication slot \"" + capture.slot() + "\" exists without failover",
                "ALTER_REPLICATION_SLOT \"" + capture.slot() + "\" (FAILOVER true)");
    }

    @Test
    void theExportingSlotIsAFailoverSlotToo() {
        if (db.serverMajorVersion() < 17) {
            return;
        }
        ConnectionFactory connections = new ConnectionFactory(db.host(), db.port(), db.database(), db.user(), db.password(), "disable", null);
        try (ExportedSnapshot snapshot = new PgSnapshotExporter(connections, true).createSlotWithSnapshot(capture.slot())) {
            assertThat(snapshot.isAlive()).isTrue();
            assertThat(db.queryValue(Boolean.class, "SELECT failover FROM pg_replication_slots WHERE slot_name = ?", capture.slot())).isTrue();
        }
    }
}
