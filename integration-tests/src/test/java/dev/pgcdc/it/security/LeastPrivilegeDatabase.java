package dev.pgcdc.it.security;

import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A database of its own in which {@code PUBLIC} holds no rights (no {@code CONNECT}, no {@code USAGE} on
 * schema {@code public}), with a captured table, a heartbeat table and a login role that is no superuser
 * and has exactly the grants docs/security.md lists for one of its two set-ups, minus those a test leaves
 * out:
 * <ul>
 *   <li>{@link Setup#DBA_PREPARED}: a DBA made the publication (both tables in it) and chose the table's
 *       replica identity ({@code FULL}); the role may replicate, connect, use the schema, read the table and
 *       write the heartbeat row;</li>
 *   <li>{@link Setup#PGCDC_MANAGED}: no publication yet; the role owns both tables and may create in the
 *       database, so pgcdc creates the publication and sets the replica identity itself.</li>
 * </ul>
 * {@link #close()} drops the slot, the database and the role. Not thread-safe.
 */
final class LeastPrivilegeDatabase implements AutoCloseable {

    /** Who prepares the publication and the replica identity. */
    enum Setup { DBA_PREPARED, PGCDC_MANAGED }

    /** One privilege of docs/security.md. */
    enum Grant {
        /** {@code CREATE ROLE ... REPLICATION} (else {@code NOREPLICATION}). */
        REPLICATION,
        CONNECT,
        SCHEMA_USAGE,
        TABLE_SELECT,
        /** {@code SELECT, INSERT, UPDATE} on the heartbeat table. */
        HEARTBEAT_WRITE,
        /** {@code ALTER TABLE ... OWNER TO} the role, for both tables. */
        TABLE_OWNERSHIP,
        CREATE_ON_DATABASE
    }

    static final String SCHEMA = "public";

    private final PostgresDatabase server;
    private final PostgresDatabase database;
    private final String role = TestNames.unique("pgcdc_role");
    private final String password = TestNames.unique("pw");
    private final String table = TestNames.unique("orders");
    private final String heartbeatTable = TestNames.unique("pgcdc_heartbeat");
    private final String publication = TestNames.unique("least_pub");
    private final String slot = TestNames.unique("least");

    private LeastPrivilegeDatabase(PostgresDatabase server, Setup setup, Set<Grant> omitted) {
        this.server = server;
        this.database = server.createDatabase(TestNames.unique("least"));
        Set<Grant> grants = EnumSet.of(Grant.REPLICATION, Grant.CONNECT, Grant.SCHEMA_USAGE, Grant.TABLE_SELECT);
        grants.addAll(setup == Setup.DBA_PREPARED ? EnumSet.of(Grant.HEARTBEAT_WRITE)
                : EnumSet.of(Grant.TABLE_OWNERSHIP, Grant.CREATE_ON_DATABASE));
        grants.removeAll(omitted);

        List<String> sql = new ArrayList<>(List.of(
                "REVOKE ALL ON DATABASE " + database.database() + " FROM PUBLIC",
                "REVOKE ALL ON SCHEMA " + SCHEMA + " FROM PUBLIC",
                "CREATE TABLE " + qualified(table) + " (id integer PRIMARY KEY, note text)",
                "CREATE TABLE " + qualified(heartbeatTable) + " (id int PRIMARY KEY, last_heartbeat timestamptz NOT NULL)",
                "CREATE ROLE " + role + " WITH LOGIN " + (grants.contains(Grant.REPLICATION) ? "REPLICATION" : "NOREPLICATION")
                        + " PASSWORD '" + password + "'"));
        if (setup == Setup.DBA_PREPARED) {
            sql.add("ALTER TABLE " + qualified(table) + " REPLICA IDENTITY FULL");
            sql.add("CREATE PUBLICATION " + publication + " FOR TABLE " + qualified(table) + ", " + qualified(heartbeatTable));
        }
        for (Grant grant : grants) {
            switch (grant) {
                case REPLICATION -> { } // a role attribute, set above
                case CONNECT -> sql.add("GRANT CONNECT ON DATABASE " + database.database() + " TO " + role);
                case SCHEMA_USAGE -> sql.add("GRANT USAGE ON SCHEMA " + SCHEMA + " TO " + role);
                case TABLE_SELECT -> sql.add("GRANT SELECT ON TABLE " + qualified(table) + " TO " + role);
                case HEARTBEAT_WRITE -> sql.add("GRANT SELECT, INSERT, UPDATE ON TABLE " + qualified(heartbeatTable) + " TO " + role);
                case TABLE_OWNERSHIP -> {
                    sql.add("ALTER TABLE " + qualified(table) + " OWNER TO " + role);
                    sql.add("ALTER TABLE " + qualified(heartbeatTable) + " OWNER TO " + role);
                }
                case CREATE_ON_DATABASE -> sql.add("GRANT CREATE ON DATABASE " + database.database() + " TO " + role);
                default -> throw new IllegalStateException("unknown grant " + grant);
            }
        }
        database.execute(sql.toArray(String[]::new));
    }

    /** The database, a role with the grants of {@code setup} minus {@code omitted}. */
    static LeastPrivilegeDatabase create(PostgresDatabase server, Setup setup, Grant... omitted) {
        return new LeastPrivilegeDatabase(server, setup, omitted.length == 0 ? Set.of() : EnumSet.of(omitted[0], omitted));
    }

    /** The database as the role logs in to it: what the service is configured with. */
    PostgresDatabase asRole() {
        return new RoleLogin(database, role, password);
    }

    /** The database as its superuser: for the test's writes and checks. */
    PostgresDatabase asSuperuser() {
        return database;
    }

    String role() {
        return role;
    }

    String table() {
        return table;
    }

    String heartbeatTable() {
        return heartbeatTable;
    }

    String publication() {
        return publication;
    }

    String slot() {
        return slot;
    }

    @Override
    public void close() {
        database.dropReplicationSlotIfExists(slot);
        server.execute("DROP DATABASE IF EXISTS " + database.database() + " WITH (FORCE)", "DROP ROLE IF EXISTS " + role);
    }

    private static String qualified(String name) {
        return SCHEMA + "." + name;
    }
}
