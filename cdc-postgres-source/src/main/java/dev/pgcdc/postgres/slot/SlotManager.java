package dev.pgcdc.postgres.slot;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.postgres.connection.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the logical replication slot exists, uses {@code pgoutput} and belongs to this
 * database; creates it when allowed. Returns its confirmed flush LSN, where streaming resumes.
 */
public final class SlotManager {

    private static final Logger LOG = LoggerFactory.getLogger(SlotManager.class);

    private final Connection connection;

    public SlotManager(Connection connection) {
        this.connection = connection;
    }

    /**
     * @param create   create the slot when missing
     * @param database the database the slot must belong to
     * @return the slot's confirmed flush LSN
     */
    public Lsn ensure(String slotName, boolean create, String database) {
        try {
            Lsn confirmed = check(slotName, database);
            if (confirmed != null) {
                return confirmed;
            }
            if (!create) {
                throw new SourceException("replication slot \"" + slotName + "\" does not exist; set slot.create-if-not-exists = true or run "
                        + "SELECT pg_create_logical_replication_slot(" + Sql.literal(slotName) + ", 'pgoutput');");
            }
            createSlot(slotName);
            confirmed = check(slotName, database);
            if (confirmed == null) {
                throw new SourceException("replication slot \"" + slotName + "\" vanished right after it was created");
            }
            return confirmed;
        } catch (SQLException e) {
            throw new SourceException("cannot check replication slot \"" + slotName + "\": " + e.getMessage(), e);
        }
    }

    /**
     * The process id of the walsender streaming from the slot now, empty when none does (or the slot
     * does not exist). Under failover, an instance checks this before it changes anything for the slot.
     */
    public OptionalLong activePid(String slotName) {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT active_pid FROM pg_catalog.pg_replication_slots WHERE slot_name = ? AND active")) {
            statement.setString(1, slotName);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
            }
        } catch (SQLException e) {
            throw new SourceException("cannot check replication slot \"" + slotName + "\": " + e.getMessage(), e);
        }
    }

    /** The slot's confirmed LSN, null when it does not exist; a {@link SourceException} when it is not usable. */
    private Lsn check(String slotName, String database) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT plugin, slot_type, database, confirmed_flush_lsn::text "
                + "FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
            statement.setString(1, slotName);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                String plugin = row.getString(1);
                String type = row.getString(2);
                String slotDatabase = row.getString(3);
                if (!"logical".equals(type)) {
                    throw new SourceException("replication slot \"" + slotName + "\" is a " + type + " slot, not a logical one; configure another "
                            + "slot.name");
                }
                if (!"pgoutput".equals(plugin)) {
                    throw new SourceException("replication slot \"" + slotName + "\" uses output plugin \"" + plugin + "\", not pgoutput; "
                            + "configure another slot.name or drop it with SELECT pg_drop_replication_slot(" + Sql.literal(slotName) + ");");
                }
                if (!database.equals(slotDatabase)) {
                    throw new SourceException("replication slot \"" + slotName + "\" belongs to database \"" + slotDatabase + "\", not \""
                            + database + "\"; configure another slot.name");
                }
                String lsn = row.getString(4);
                return lsn == null ? Lsn.INVALID : Lsn.parse(lsn);
            }
        }
    }

    private void createSlot(String slotName) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT lsn::text FROM pg_catalog.pg_create_logical_replication_slot(?, 'pgoutput')")) {
            statement.setString(1, slotName);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                LOG.info("created replication slot {} (pgoutput) at {}", slotName, row.getString(1));
            }
        } catch (SQLException e) {
            if ("42710".equals(e.getSQLState())) {
                LOG.info("replication slot {} was created concurrently by someone else", slotName);
                return;
            }
            if ("42501".equals(e.getSQLState())) {
                // the start-up check lets a member of a replication role through (Amazon RDS); plain PostgreSQL refuses it here
                throw new SourceException("cannot create replication slot \"" + slotName + "\", the server refused: " + e.getMessage()
                        + ". The role needs the REPLICATION attribute of its own: ALTER ROLE " + Sql.identifier(user(connection))
                        + " WITH REPLICATION; (membership in a role that has it is not enough on PostgreSQL; on Amazon RDS or Aurora: "
                        + "GRANT rds_replication TO " + Sql.identifier(user(connection)) + ";)", e);
            }
            throw e;
        }
    }

    private static String user(Connection connection) throws SQLException {
        return connection.getMetaData().getUserName();
    }
}
