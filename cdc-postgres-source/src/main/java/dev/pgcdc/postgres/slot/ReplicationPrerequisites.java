package dev.pgcdc.postgres.slot;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.postgres.connection.ServerInfo;
import dev.pgcdc.postgres.connection.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks at start what logical replication needs of the server, reporting every problem at once
 * with what to do: PostgreSQL 13 or newer, {@code wal_level = logical}, a role that may replicate,
 * a free replication slot (when ours is still to be created) and a free walsender. A role may
 * replicate when it is a superuser or has the REPLICATION attribute; one that has neither but is a
 * member of {@code rds_replication} or of a role with REPLICATION is not refused here, because on
 * Amazon RDS and Aurora that membership is what grants replication: the server has the last word,
 * and its own error reaches the user when it refuses.
 */
public final class ReplicationPrerequisites {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationPrerequisites.class);

    private static final String QUERY = "SELECT current_setting('wal_level'), current_setting('max_replication_slots')::int, "
            + "current_setting('max_wal_senders')::int, (SELECT count(*) FROM pg_catalog.pg_replication_slots), "
            + "(SELECT count(*) FROM pg_catalog.pg_stat_replication), "
            + "(SELECT rolreplication OR rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), "
            + "EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = ?), "
            + "(SELECT active FROM pg_catalog.pg_replication_slots WHERE slot_name = ?), "
            // roles whose membership may grant replication: Amazon RDS and Aurora grant it through rds_replication (whatever
            // that role's own attribute); other services or forks may honour a member of a role WITH REPLICATION
            + "(SELECT string_agg(g.rolname, ', ' ORDER BY g.rolname) FROM pg_catalog.pg_roles g, pg_catalog.pg_roles r "
            + "  WHERE r.rolname = current_user AND g.oid <> r.oid AND (g.rolreplication OR g.rolname = 'rds_replication') "
            + "  AND pg_catalog.pg_has_role(r.oid, g.oid, 'MEMBER'))";

    private ReplicationPrerequisites() {
    }

    /** @throws SourceException listing every unmet prerequisite */
    public static void check(Connection connection, ServerInfo server, String slotName) {
        List<String> problems = new ArrayList<>();
        if (server.versionNum() < 130000) {
            throw new SourceException("PostgreSQL " + server.version() + " is too old: pgcdc needs 13 or newer (14 or newer is supported and tested)");
        }
        if (server.versionNum() < 140000) {
            LOG.warn("PostgreSQL {} works with pgoutput protocol 1 only (no streaming of large transactions); 14 or newer is recommended",
                    server.version());
        }
        try (PreparedStatement statement = connection.prepareStatement(QUERY)) {
            statement.setString(1, slotName);
            statement.setString(2, slotName);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                String walLevel = row.getString(1);
                int maxSlots = row.getInt(2);
                int maxSenders = row.getInt(3);
                int usedSlots = row.getInt(4);
                int usedSenders = row.getInt(5);
                boolean mayReplicate = row.getBoolean(6);
                boolean slotExists = row.getBoolean(7);
                boolean slotActive = row.getBoolean(8);
                String grantingRoles = row.getString(9);
                if (!"logical".equals(walLevel)) {
                    problems.add("wal_level is \"" + walLevel + "\"; logical replication needs wal_level = logical: run ALTER SYSTEM SET wal_level = "
                            + "logical; and restart PostgreSQL");
                }
                if (!mayReplicate && grantingRoles != null) {
                    // Not refused here: only the server knows whether the membership counts, and it says so itself when it does not.
                    LOG.info("role \"{}\" has no REPLICATION attribute of its own but is a member of {}: Amazon RDS and Aurora grant "
                            + "replication through rds_replication; plain PostgreSQL does not pass REPLICATION on to members and will refuse "
                            + "(then run ALTER ROLE {} WITH REPLICATION;)", server.user(), grantingRoles, Sql.identifier(server.user()));
                } else if (!mayReplicate) {
                    problems.add("role \"" + server.user() + "\" lacks the REPLICATION attribute: run ALTER ROLE " + Sql.identifier(server.user())
                            + " WITH REPLICATION; (on Amazon RDS or Aurora: GRANT rds_replication TO " + Sql.identifier(server.user()) + ";)");
                }
                if (!slotExists && usedSlots >= maxSlots) {
                    problems.add("max_replication_slots = " + maxSlots + " and " + usedSlots + " slots exist, so slot \"" + slotName
                            + "\" cannot be created: raise max_replication_slots (needs a restart) or drop an unused slot with "
                            + "SELECT pg_drop_replication_slot('<name>')");
                }
                if (!slotActive && usedSenders >= maxSenders) {
                    problems.add("max_wal_senders = " + maxSenders + " and " + usedSenders + " walsenders are running, so none is left for "
                            + "pgcdc: raise max_wal_senders (needs a restart)");
                }
            }
        } catch (SQLException e) {
            throw new SourceException("cannot check the replication settings of the server: " + e.getMessage(), e);
        }
        if (!problems.isEmpty()) {
            throw new SourceException("PostgreSQL is not ready for logical replication: " + String.join("; ", problems));
        }
    }
}
