package dev.pgcdc.postgres.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The connections the source uses while streaming have bounded calls; the start-up one does not (slot creation waits). */
@TestEnvironment
class ConnectionTimeoutsIT {

    private final ConnectionFactory connections;

    ConnectionTimeoutsIT(PostgresDatabase db) {
        this.connections = new ConnectionFactory(db.host(), db.port(), db.database(), db.user(), db.password(), "disable", null);
    }

    @Test
    void theCatalogConnectionHasAStatementAndASocketTimeout() throws Exception {
        try (Connection catalog = connections.openCatalog()) {
            assertThat(show(catalog, "statement_timeout")).isEqualTo("10s");
            assertThat(catalog.getNetworkTimeout()).as("socket timeout, ms").isEqualTo(30_000);
        }
    }

    @Test
    void theReplicationConnectionHasASocketTimeoutBeforeStreaming() throws Exception {
        try (Connection replication = connections.openReplication()) {
            assertThat(replication.getNetworkTimeout()).as("socket timeout, ms").isEqualTo(30_000);
        }
    }

    @Test
    void theStartUpConnectionWaitsAsLongAsSlotCreationNeeds() throws Exception {
        try (Connection management = connections.openRegular()) {
            assertThat(show(management, "statement_timeout")).isEqualTo("0");
            assertThat(management.getNetworkTimeout()).isZero();
        }
    }

    private static String show(Connection connection, String setting) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery("SHOW " + setting)) {
            row.next();
            return row.getString(1);
        }
    }
}
