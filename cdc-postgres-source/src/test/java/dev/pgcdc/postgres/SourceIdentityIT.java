package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.StreamOrigin;
import dev.pgcdc.postgres.connection.SessionEncryption;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the source tells about the server it streams from: the cluster's identity, and whether its connections are encrypted. */
class SourceIdentityIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("items");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();
    private final String role = capture.role("replicator");

    @Test
    void reportsTheClusterIdentityFromIdentifySystemForAReplicationUserWhoIsNoSuperuser() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)", "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + table,
                "CREATE ROLE " + role + " LOGIN REPLICATION PASSWORD 'secret'");
        String systemId = db.queryValue(String.class, "SELECT system_identifier::text FROM pg_control_system()");
        Long timeline = db.queryValue(Long.class, "SELECT timeline_id::bigint FROM pg_control_checkpoint()");
        Lsn before = Lsn.parse(db.queryValue(String.class, "SELECT pg_current_wal_flush_lsn()::text"));
        PostgresSource source = new PostgresSource(SourceHarness.settings(capture).user(role).password("secret")
                .publicationCreateIfNotExists(false).tables(table).build());
        assertThat(source.origin()).as("before start").isEmpty();
        try (source) {
            source.start();
            StreamOrigin origin = source.origin().orElseThrow();
            Lsn after = Lsn.parse(db.queryValue(String.class, "SELECT pg_current_wal_flush_lsn()::text"));
            assertThat(origin.systemId()).isEqualTo(systemId);
            assertThat(origin.timeline()).isEqualTo(timeline);
            assertThat(origin.walEnd()).isBetween(before, after);
        }
    }

    @Test
    void logsAtStartThatSslModePreferFellBackToPlaintext() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)");
        boolean serverEncrypts;
        try (Connection connection = db.connect()) {
            serverEncrypts = SessionEncryption.of(connection).encrypted();
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream standardError = System.err;
        // slf4j-simple writes to whatever System.err is at the time of each line
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try (PostgresSource source = new PostgresSource(SourceHarness.settings(capture).tables(table).sslMode(SslMode.PREFER)
                .build())) {
            source.start();
        } finally {
            System.setErr(standardError);
        }
        String lines = log.toString(StandardCharsets.UTF_8);
        standardError.print(lines);
        if (serverEncrypts) {
            assertThat(lines).contains("catalog encrypted (TLS").contains("replication encrypted (TLS").contains("postgres.ssl-mode = prefer");
        } else {
            assertThat(lines).contains("WARN").contains("catalog NOT encrypted, replication NOT encrypted, although postgres.ssl-mode = prefer")
                    .contains("verify-full");
        }
    }
}
