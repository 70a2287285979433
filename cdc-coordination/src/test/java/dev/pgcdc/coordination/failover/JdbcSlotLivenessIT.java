package dev.pgcdc.coordination.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.source.DatabaseConnections;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.replication.PGReplicationStream;

/** {@link JdbcSlotLiveness} against a real slot, free and held by a walsender of a named client. */
@TestEnvironment
class JdbcSlotLivenessIT {

    @Test
    void tellsAMissingAFreeAndAHeldSlotApartAndNamesTheHolder(PostgresDatabase postgres) throws SQLException {
        String slot = TestNames.unique("liveness");
        try (JdbcSlotLiveness liveness = new JdbcSlotLiveness(connections(postgres), Duration.ofSeconds(5))) {
            assertThat(liveness.holder(slot)).isEqualTo(SlotHolder.free(false));

            postgres.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            assertThat(liveness.holder(slot)).isEqualTo(SlotHolder.free(true));
            assertThat(liveness.isSlotActive(slot)).isFalse();

            postgres.execute("CREATE PUBLICATION " + slot + "_pub");
            try (Connection replication = postgres.connectForReplication()) {
                try (Statement statement = replication.createStatement()) {
                    statement.execute("SET application_name = 'pgcdc liveness-test'");
                }
                PGConnection pg = replication.unwrap(PGConnection.class);
                PGReplicationStream stream = pg.getReplicationAPI().replicationStream().logical().withSlotName(slot)
                        .withSlotOption("proto_version", "1").withSlotOption("publication_names", slot + "_pub").start();
                SlotHolder holder = liveness.holder(slot);
                assertThat(holder.active()).isTrue();
                assertThat(holder.pid()).isEqualTo(pg.getBackendPID());
                assertThat(holder.applicationName()).isEqualTo("pgcdc liveness-test");
                assertThat(holder.describe()).startsWith("PID " + pg.getBackendPID() + " (pgcdc liveness-test");
                assertThat(liveness.isSlotActive(slot)).isTrue();
                stream.close();
            }
            await("slot " + slot + " free after its client left").atMost(Duration.ofSeconds(30))
                    .until(() -> !liveness.isSlotActive(slot));
        } finally {
            postgres.dropReplicationSlotIfExists(slot);
            postgres.execute("DROP PUBLICATION IF EXISTS " + slot + "_pub");
        }
    }

    @Test
    void aDatabaseThatCannotBeReachedIsAnErrorNamingIt() {
        DatabaseConnections unreachable = new DatabaseConnections() {
            @Override
            public Connection open() throws SQLException {
                throw new SQLException("Connection to 127.0.0.1:1 refused", "08001");
            }

            @Override
            public String description() {
                return "database \"shop\" at 127.0.0.1:1 as user \"cdc\"";
            }
        };
        try (JdbcSlotLiveness liveness = new JdbcSlotLiveness(unreachable, Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> liveness.holder("s")).isInstanceOf(CdcException.class)
                    .hasMessageContaining("cannot read replication slot \"s\"").hasMessageContaining("127.0.0.1:1").hasMessageContaining("refused");
        }
    }

    private static DatabaseConnections connections(PostgresDatabase postgres) {
        return new DatabaseConnections() {
            @Override
            public Connection open() throws SQLException {
                return postgres.connect();
            }

            @Override
            public String description() {
                return postgres.description();
            }
        };
    }
}
