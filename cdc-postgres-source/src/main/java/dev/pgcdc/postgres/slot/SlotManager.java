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
 * database; creates it when allowed (with {@code failover} when asked, PostgreSQL 17+). Returns its
 * confirmed flush LSN, where streaming resumes.
 *
 * <p><b>A slot lost in a failover is not recreated silently.</b> A slot created without
 * {@code failover} (or on PostgreSQL 16 and older) does not exist on a promoted standby; creating a
 * new one there starts at the new primary's current WAL and skips every change since the old slot's
 * position. So when the slot is missing, the configured publication existed before this start (pgcdc
 * most likely streamed from the slot) and the server's timeline is above 1 (it was promoted, or
 * restored to a point in time), creating it is refused with an error saying so, unless
 * {@code slot.recreate-after-failover = true} (then it is created with a warning). Not thread-safe:
 * one start-up thread, on its connection.
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
        return ensure(slotName, SlotPolicy.plain(create), database);
    }

    /**
     * @param database the database the slot must belong to
     * @return the slot's confirmed flush LSN
     * @throws SourceException when the slot is missing and may not be created, or looks lost in a failover
     */
    public Lsn ensure(String slotName, SlotPolicy policy, String database) {
        try {
            Lsn confirmed = check(slotName, database);
            if (confirmed != null) {
                return confirmed;
            }
            if (!policy.create()) {
                throw new SourceException("replication slot \"" + slotName + "\" does not exist; set slot.create-if-not-exists = true or run "
                        + "SELECT pg_create_logical_replication_slot(" + Sql.literal(slotName) + ", 'pgoutput'"
                        + (policy.failover() ? ", false, false, true" : "") + ");" + (policy.publicationExisted()
                        ? " If pgcdc streamed from this slot before (a PostgreSQL failover loses a slot without failover), creating it "
                        + "anew skips the changes since its last position: see docs/operations.md, \"PostgreSQL failover\""
                        : ""));
            }
            refuseLostSlot(slotName, policy);
            createSlot(slotName, policy.failover());
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

    /** Whether a publication of this name exists in the connection's database. */
    public boolean publicationExists(String publicationName) {
        try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = ?")) {
            statement.setString(1, publicationName);
            try (ResultSet row = statement.executeQuery()) {
                return row.next();
            }
        } catch (SQLException e) {
            throw new SourceException("cannot check publication \"" + publicationName + "\": " + e.getMessage(), e);
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

    /** Refuses to create a slot that most likely existed before a promotion, unless {@code slot.recreate-after-failover}. */
    private static void refuseLostSlot(String slotName, SlotPolicy policy) {
        if (!policy.publicationExisted()) {
            return;
        }
        long timeline = policy.timeline().getAsLong();
        if (timeline <= 1) {
            return;
        }
        String what = "replication slot \"" + slotName + "\" does not exist, the publication exists already and the server is on timeline "
                + timeline + ": it was promoted from a standby (or restored to a point in time), and a slot that was not a synchronised "
                + "failover slot (PostgreSQL 17+, slot.failover = true) does not survive that. A new slot starts at the current WAL position: "
                + "every change committed since the old slot's last confirmed position would be skipped";
        if (!policy.recreateAfterFailover()) {
            throw new SourceException(what + ". pgcdc does not create it. To go on anyway, accepting the gap (then re-read the captured "
                    + "tables, e.g. with an initial snapshot), set slot.recreate-after-failover = true; see docs/operations.md, "
                    + "\"PostgreSQL failover\"");
        }
        LOG.warn("{}. slot.recreate-after-failover = true: creating it anyway; CHANGES BETWEEN THE OLD SLOT'S POSITION AND NOW ARE NOT "
                + "DELIVERED, re-read the captured tables if they changed (an initial snapshot)", what);
    }

    private void createSlot(String slotName, boolean failover) throws SQLException {
        String sql = failover ? "SELECT lsn::text FROM pg_catalog.pg_create_logical_replication_slot(?, 'pgoutput', false, false, true)"
                : "SELECT lsn::text FROM pg_catalog.pg_create_logical_replication_slot(?, 'pgoutput')";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, slotName);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                LOG.info("created replication slot {} (pgoutput{}) at {}", slotName, failover ? ", failover" : "", row.getString(1));
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
