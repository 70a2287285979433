package dev.pgcdc.coordination.snapshot;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the coordination schema and brings its tables to the version this code needs. Idempotent
 * and safe when several instances start at once: everything happens in one transaction that first
 * takes a transaction-scoped advisory lock derived from the schema name, so one instance migrates
 * while the others wait and then find the work done. Every statement is {@code IF NOT EXISTS} as
 * well, for a schema someone prepared by hand.
 *
 * <p>The role needs only CREATE on the database (to create the schema) or an existing schema on
 * which it has USAGE and CREATE (a schema it owns); otherwise the error names the schema, the role
 * and the missing privilege. Once the tables are at the current version, USAGE on the schema and
 * DML on the tables suffice.
 */
final class CoordinationMigrations {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinationMigrations.class);

    /** One step of the schema's history; never edit a released one, add the next. */
    private record Migration(int version, String description, Function<CoordinationTables, List<String>> statements) {
    }

    private static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "snapshot jobs and chunks", t -> List.of(
                    "CREATE TABLE IF NOT EXISTS " + t.jobs() + " ("
                            + "job_id text PRIMARY KEY,"
                            + " state text NOT NULL CHECK (state IN ('PLANNING', 'RUNNING', 'COMPLETED', 'FAILED')),"
                            + " planner text NOT NULL,"
                            + " planner_heartbeat timestamptz NOT NULL,"
                            + " snapshot_id text,"
                            + " consistent_lsn pg_lsn,"
                            + " created_at timestamptz NOT NULL,"
                            + " updated_at timestamptz NOT NULL,"
                            + " failure text)",
                    "CREATE TABLE IF NOT EXISTS " + t.chunks() + " ("
                            + "job_id text NOT NULL REFERENCES " + t.jobs() + " (job_id) ON DELETE CASCADE,"
                            + " chunk_id bigint NOT NULL,"
                            + " table_schema text NOT NULL,"
                            + " table_name text NOT NULL,"
                            + " range_kind text NOT NULL CHECK (range_kind IN ('key', 'block')),"
                            + " key_columns text[],"
                            + " lower_key text[],"
                            + " upper_key text[],"
                            + " from_block bigint,"
                            + " to_block bigint,"
                            + " state text NOT NULL CHECK (state IN ('pending', 'claimed', 'done')),"
                            + " owner text,"
                            + " heartbeat_at timestamptz,"
                            + " claimed_at timestamptz,"
                            + " row_count bigint,"
                            + " done_at timestamptz,"
                            + " PRIMARY KEY (job_id, chunk_id),"
                            + " CHECK (range_kind <> 'key' OR (key_columns IS NOT NULL AND lower_key IS NOT NULL AND upper_key IS NOT NULL)),"
                            + " CHECK (range_kind <> 'block' OR (from_block IS NOT NULL AND to_block IS NOT NULL)),"
                            + " CHECK (state <> 'claimed' OR (owner IS NOT NULL AND heartbeat_at IS NOT NULL)))",
                    "CREATE INDEX IF NOT EXISTS " + CoordinationTables.quote("snapshot_chunk_claimable") + " ON " + t.chunks()
                            + " (job_id, state, chunk_id)")),
            new Migration(2, "ctid chunks of leaf partitions", t -> List.of(
                    "ALTER TABLE " + t.chunks() + " ADD COLUMN IF NOT EXISTS partition_schema text,"
                            + " ADD COLUMN IF NOT EXISTS partition_name text")));

    /** The version this code creates and needs. */
    static final int CURRENT_VERSION = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

    private final Transactions transactions;
    private final CoordinationTables tables;

    CoordinationMigrations(Transactions transactions, CoordinationTables tables) {
        this.transactions = transactions;
        this.tables = tables;
    }

    /** Brings the schema to {@link #CURRENT_VERSION}; returns the migrations applied now (0 when another instance or an earlier run did). */
    int migrate() {
        return transactions.run("create or migrate the coordination tables", connection -> {
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                lock.setString(1, "pgcdc coordination schema " + tables.schema());
                lock.execute();
            }
            Privileges privileges = Privileges.read(connection, tables.schema());
            privileges.checkUsable(tables.schema());
            int applied = privileges.schemaExists() ? appliedVersion(connection) : 0;
            List<Migration> pending = MIGRATIONS.stream().filter(migration -> migration.version() > applied).toList();
            if (applied > CURRENT_VERSION) {
                LOG.warn("coordination schema {} is at version {}, newer than this pgcdc knows ({}); using it as it is", tables.quotedSchema(),
                        applied, CURRENT_VERSION);
            }
            if (pending.isEmpty()) {
                return 0;
            }
            privileges.checkCreatable(tables.schema());
            try (Statement statement = connection.createStatement()) {
                if (!privileges.schemaExists()) {
                    // never IF NOT EXISTS on an existing schema: PostgreSQL checks CREATE on the database first
                    statement.execute("CREATE SCHEMA " + tables.quotedSchema());
                }
                statement.execute("CREATE TABLE IF NOT EXISTS " + tables.versions() + " (version int PRIMARY KEY,"
                        + " description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())");
                for (Migration migration : pending) {
                    for (String sql : migration.statements().apply(tables)) {
                        statement.execute(sql);
                    }
                }
            }
            try (PreparedStatement record = connection.prepareStatement("INSERT INTO " + tables.versions()
                    + " (version, description) VALUES (?, ?) ON CONFLICT (version) DO NOTHING")) {
                for (Migration migration : pending) {
                    record.setInt(1, migration.version());
                    record.setString(2, migration.description());
                    record.addBatch();
                }
                record.executeBatch();
            }
            LOG.info("coordination schema {}: applied {} migration(s), now at version {}", tables.quotedSchema(), pending.size(), CURRENT_VERSION);
            return pending.size();
        });
    }

    private int appliedVersion(Connection connection) throws SQLException {
        try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, tables.versions());
            try (ResultSet row = exists.executeQuery()) {
                row.next();
                if (!row.getBoolean(1)) {
                    return 0;
                }
            }
        }
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT coalesce(max(version), 0) FROM " + tables.versions())) {
            row.next();
            return row.getInt(1);
        }
    }

    /** What the connected role may do with the schema, read from the catalog before touching it. */
    private record Privileges(String role, String database, boolean schemaExists, boolean usage, boolean createInSchema,
                              boolean createInDatabase) {

        static Privileges read(Connection connection, String schema) throws SQLException {
            try (PreparedStatement query = connection.prepareStatement("SELECT current_user, current_database(), n.oid IS NOT NULL,"
                    + " coalesce(has_schema_privilege(n.oid, 'USAGE'), false), coalesce(has_schema_privilege(n.oid, 'CREATE'), false),"
                    + " has_database_privilege(current_database(), 'CREATE')"
                    + " FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = ?")) {
                query.setString(1, schema);
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    return new Privileges(row.getString(1), row.getString(2), row.getBoolean(3), row.getBoolean(4), row.getBoolean(5),
                            row.getBoolean(6));
                }
            }
        }

        /** Fails, naming the schema, the role and the privilege, when the schema exists but the role may not use it. */
        void checkUsable(String schema) {
            if (schemaExists && !usage) {
                String quotedSchema = CoordinationTables.quote(schema);
                String quotedRole = CoordinationTables.quote(role);
                throw new ClaimStoreException("role " + quotedRole + " lacks the USAGE privilege on coordination schema " + quotedSchema
                        + ". Run, as an administrator, GRANT USAGE, CREATE ON SCHEMA " + quotedSchema + " TO " + quotedRole
                        + "; or ALTER SCHEMA " + quotedSchema + " OWNER TO " + quotedRole + ";");
            }
        }

        /** Fails, naming the schema, the role and the privilege, when the role may not create the schema or the tables in it. */
        void checkCreatable(String schema) {
            String quotedSchema = CoordinationTables.quote(schema);
            String quotedRole = CoordinationTables.quote(role);
            if (!schemaExists && !createInDatabase) {
                throw new ClaimStoreException("coordination schema " + quotedSchema + " does not exist and role " + quotedRole
                        + " may not create it: it lacks the CREATE privilege on database " + CoordinationTables.quote(database)
                        + ". Run, as an administrator, either CREATE SCHEMA " + quotedSchema + " AUTHORIZATION " + quotedRole
                        + "; or GRANT CREATE ON DATABASE " + CoordinationTables.quote(database) + " TO " + quotedRole
                        + "; or configure a coordination schema the role owns");
            }
            if (schemaExists && !createInSchema) {
                throw new ClaimStoreException("role " + quotedRole + " lacks the CREATE privilege on coordination schema " + quotedSchema
                        + ", which it needs to create the coordination tables. Run, as an administrator, GRANT CREATE ON SCHEMA "
                        + quotedSchema + " TO " + quotedRole + "; or ALTER SCHEMA " + quotedSchema + " OWNER TO " + quotedRole + ";");
            }
        }
    }
}
