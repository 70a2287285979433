package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Replica identity at start: changed only where the configuration names one, never waiting long for the table's lock. */
class ReplicaIdentityIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("identity");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();

    @Test
    void leavesTheIdentityADbaChoseWhenTheConfigurationNamesNone() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text)", "ALTER TABLE " + table + " REPLICA IDENTITY FULL",
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + table + " WITH (publish_via_partition_root = true)");
        for (boolean manage : List.of(false, true)) {
            PostgresSourceSettings settings = SourceHarness.settings(capture).tables(table).publicationCreateIfNotExists(manage)
                    .build();
            assertThat(settings.tables().get(0).replicaIdentity()).as("not configured").isNull();
            String log = LogCapture.during(() -> {
                try (SourceHarness harness = SourceHarness.start(settings)) {
                    db.execute("INSERT INTO " + table + " VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET v = 'a'",
                            "UPDATE " + table + " SET v = 'b' WHERE id = 1");
                    List<ChangeEvent> events = harness.take(2, Duration.ofSeconds(60));
                    assertThat(events.get(1).before().asMap()).as("the whole old row, as FULL writes it").isEqualTo(Map.of("id", 1, "v", "a"));
                }
            });
            assertThat(identity()).as("create-if-not-exists = " + manage).isEqualTo("f");
            assertThat(log).contains("replica identity in use: public." + table + " FULL (not configured; left as it is)")
                    .doesNotContain("setting the replica identity");
        }
    }

    @Test
    void logsTheConfiguredIdentityItSets() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text)");
        PostgresSourceSettings settings = SourceHarness.settings(capture)
                .tables(List.of(TableSettings.of(new TableId("public", table), ReplicaIdentity.FULL))).build();
        String log = LogCapture.during(() -> {
            try (SourceHarness harness = SourceHarness.start(settings)) {
                assertThat(harness.source.isConnected()).isTrue();
            }
        });
        assertThat(identity()).isEqualTo("f");
        assertThat(log).contains("setting the replica identity of public." + table + " to FULL as configured (the table's was DEFAULT): ALTER TABLE \"public\".\""
                + table + "\" REPLICA IDENTITY FULL", "replica identity in use: public." + table + " FULL (configured; was DEFAULT)");
    }

    @Test
    void givesUpWithinTheLockTimeoutWhenAnotherSessionHoldsTheTable() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text)");
        PostgresSourceSettings settings = SourceHarness.settings(capture)
                .tables(List.of(TableSettings.of(new TableId("public", table), ReplicaIdentity.FULL))).build();
        try (Connection other = db.connect(); Statement statement = other.createStatement()) {
            other.setAutoCommit(false);
            statement.execute("LOCK TABLE " + table + " IN ACCESS SHARE MODE"); // what any open transaction that read the table holds
            long started = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(() -> new PostgresSource(settings).start())
                    .isInstanceOf(SourceException.class)
                    .hasMessageContaining("cannot set the replica identity of \"public\".\"" + table + "\" to FULL: another session holds a "
                            + "conflicting lock and did not release it within pgcdc's lock timeout of 5 s")
                    .hasMessageContaining("the change was rolled back")
                    .hasMessageContaining("ALTER TABLE \"public\".\"" + table + "\" REPLICA IDENTITY FULL;"));
            Duration waited = Duration.ofNanos(System.nanoTime() - started);
            assertThat(waited).as("gave up after the lock timeout").isGreaterThanOrEqualTo(Duration.ofMillis(4900))
                    .isLessThan(Duration.ofSeconds(30));
            other.rollback();
        }
        assertThat(identity()).isEqualTo("d");
    }

    private String identity() {
        return db.queryValue(String.class, "SELECT relreplident::text FROM pg_class WHERE oid = ?::regclass", "public." + table);
    }
}
