package dev.pgcdc.coordination.snapshot;

import static dev.pgcdc.coordination.snapshot.Plans.ORDERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.JobProgress;
import dev.pgcdc.api.coordination.SnapshotJob;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Creation of the coordination schema and tables: idempotent, concurrent, quoted, and with the privileges of an ordinary role. */
class CoordinationMigrationsIT {
    private static final String PASSWORD = "secret";

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("coord");
    private final PostgresDatabase db = capture.db();
    private final List<String> schemas = new ArrayList<>();
    private final List<String> roles = new ArrayList<>();

    @AfterEach
    void dropSchemasAndWhatTheRolesOwn() {
        schemas.forEach(schema -> db.execute("DROP SCHEMA IF EXISTS " + CoordinationTables.quote(schema) + " CASCADE"));
        // the fixture drops the roles after this; their privileges on the database go first
        roles.forEach(role -> db.execute("DROP OWNED BY " + role));
    }

    @Test
    void migratesOnceAndThenFindsNothingToDo() {
        String schema = schema("coord");
        CoordinationTables tables = new CoordinationTables(schema);
        assertThat(migrations(TestConnections.superuser(db), tables).migrate()).isEqualTo(CoordinationMigrations.CURRENT_VERSION);
        assertThat(migrations(TestConnections.superuser(db), tables).migrate()).isZero();
        assertThat(db.queryValue(Long.class, "SELECT count(*) FROM " + tables.versions())).isEqualTo(CoordinationMigrations.CURRENT_VERSION);
        assertThat(db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name", schema))
                .extracting(row -> row.get("table_name")).containsExactly("schema_version", "snapshot_chunk", "snapshot_job");
    }

    @Test
    void threeInstancesStartingAtOnceMigrateOnce() throws Exception {
        String schema = schema("coord");
        CoordinationTables tables = new CoordinationTables(schema);
        int instances = 3;
        CyclicBarrier start = new CyclicBarrier(instances);
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        List<Integer> applied = new ArrayList<>();
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                CoordinationMigrations migrations = migrations(TestConnections.superuser(db), tables);
                results.add(pool.submit(() -> {
                    start.await();
                    return migrations.migrate();
                }));
            }
            for (Future<Integer> result : results) {
                applied.add(result.get(1, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(applied).containsExactlyInAnyOrder(CoordinationMigrations.CURRENT_VERSION, 0, 0);
        assertThat(db.queryValue(Long.class, "SELECT count(*) FROM " + tables.versions())).isEqualTo(CoordinationMigrations.CURRENT_VERSION);
    }

    @Test
    void worksInASchemaWhoseNameNeedsQuoting() {
        String schema = "Coord \"Quoted\" Schema." + TestNames.unique("s") + " ✓";
        schemas.add(schema);
        PostgresChunkClaimStore store = new PostgresChunkClaimStore(TestConnections.superuser(db), schema);
        runsAJob(store);
        assertThat(db.queryValue(Long.class, "SELECT count(*) FROM pg_tables WHERE schemaname = ?", schema)).isEqualTo(3);
        assertThat(new PostgresChunkClaimStore(TestConnections.superuser(db), schema).job("job")).isPresent();
    }

    @Test
    void usesTheDefaultSchemaPgcdc() {
        schemas.add(PostgresChunkClaimStore.DEFAULT_SCHEMA);
        PostgresChunkClaimStore store = new PostgresChunkClaimStore(TestConnections.superuser(db));
        assertThat(store.schema()).isEqualTo("pgcdc");
        store.migrate();
        assertThat(db.queryValue(Long.class, "SELECT count(*) FROM pg_tables WHERE schemaname = 'pgcdc'")).isEqualTo(3);
    }

    @Test
    void aRoleWithoutCreateOnTheDatabaseIsToldWhatToGrant() {
        String role = loginRole();
        String schema = schema("coord");
        PostgresChunkClaimStore store = new PostgresChunkClaimStore(TestConnections.as(db, role, PASSWORD), schema);
        assertThatThrownBy(store::migrate).isInstanceOf(ClaimStoreException.class)
                .hasMessage("coordination schema \"" + schema + "\" does not exist and role \"" + role + "\" may not create it: it lacks the"
                        + " CREATE privilege on database \"" + db.database() + "\". Run, as an administrator, either CREATE SCHEMA \"" + schema
                        + "\" AUTHORIZATION \"" + role + "\"; or GRANT CREATE ON DATABASE \"" + db.database() + "\" TO \"" + role
                        + "\"; or configure a coordination schema the role owns");
        assertThatThrownBy(() -> store.openJob("job", "a")).isInstanceOf(ClaimStoreException.class);

        db.execute("CREATE SCHEMA " + schema + " AUTHORIZATION " + role);
        runsAJob(store);
    }

    @Test
    void aRoleWithCreateOnTheDatabaseCreatesTheSchema() {
        String role = loginRole();
        String schema = schema("coord");
        db.execute("GRANT CREATE ON DATABASE " + db.database() + " TO " + role);
        runsAJob(new PostgresChunkClaimStore(TestConnections.as(db, role, PASSWORD), schema));
        assertThat(db.queryValue(String.class, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = ?", schema)).isEqualTo(role);
    }

    @Test
    void aRoleThatMayNotUseOrCreateInAnExistingSchemaIsToldWhatToGrant() {
        String role = loginRole();
        String schema = schema("coord");
        db.execute("CREATE SCHEMA " + schema);
        PostgresChunkClaimStore store = new PostgresChunkClaimStore(TestConnections.as(db, role, PASSWORD), schema);
        assertThatThrownBy(store::migrate).isInstanceOf(ClaimStoreException.class)
                .hasMessage("role \"" + role + "\" lacks the USAGE privilege on coordination schema \"" + schema + "\". Run, as an"
                        + " administrator, GRANT USAGE, CREATE ON SCHEMA \"" + schema + "\" TO \"" + role + "\"; or ALTER SCHEMA \"" + schema
                        + "\" OWNER TO \"" + role + "\";");
        db.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
        assertThatThrownBy(store::migrate).isInstanceOf(ClaimStoreException.class)
                .hasMessage("role \"" + role + "\" lacks the CREATE privilege on coordination schema \"" + schema + "\", which it needs to"
                        + " create the coordination tables. Run, as an administrator, GRANT CREATE ON SCHEMA \"" + schema + "\" TO \"" + role
                        + "\"; or ALTER SCHEMA \"" + schema + "\" OWNER TO \"" + role + "\";");

        // tables an administrator created: USAGE and DML suffice, and a missing DML grant is named
        new PostgresChunkClaimStore(TestConnections.superuser(db), schema).migrate();
        assertThatThrownBy(() -> store.openJob("job", "a")).isInstanceOf(ClaimStoreException.class)
                .hasMessageContaining("coordination schema \"" + schema + "\" on database " + db.database())
                .hasMessageContaining("cannot create or migrate the coordination tables")
                .hasMessageContaining("permission denied for table schema_version")
                .hasMessageContaining("the role needs USAGE on schema \"" + schema + "\" and SELECT, INSERT, UPDATE, DELETE on its tables");
        db.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
        runsAJob(store);
    }

    private static void runsAJob(PostgresChunkClaimStore store) {
        store.openJob("job", "a");
        store.savePlan("job", "a", null, Lsn.parse("0/16B3748"), Plans.keyChunks("job", ORDERS, 2));
        for (int i = 0; i < 2; i++) {
            Chunk chunk = store.claimNext("job", "a", Duration.ofMinutes(1)).orElseThrow();
            store.heartbeat("job", "a");
            assertThat(store.markDone(chunk, "a", 3)).isTrue();
        }
        assertThat(store.completeIfDone("job")).isTrue();
        assertThat(store.job("job").orElseThrow().state()).isEqualTo(SnapshotJob.State.COMPLETED);
        assertThat(store.progress("job")).isEqualTo(new JobProgress(1, 1, 2, 2, 6));
    }

    private String schema(String prefix) {
        String schema = TestNames.unique(prefix);
        schemas.add(schema);
        return schema;
    }

    private String loginRole() {
        String role = capture.role("coord_role");
        roles.add(role);
        db.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + PASSWORD + "'");
        return role;
    }

    private static CoordinationMigrations migrations(TestConnections connections, CoordinationTables tables) {
        return new CoordinationMigrations(new Transactions(connections, tables), tables);
    }
}
