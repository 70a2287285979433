package dev.pgcdc.postgres.slot;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.postgres.connection.ServerInfo;
import dev.pgcdc.postgres.connection.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up checks of decoding from a standby (a server in recovery, PostgreSQL 16+), whose slot
 * is the standby's own: PostgreSQL 16 or newer, no {@code slot.failover} (a failover slot is made on
 * the primary), and an existing slot that is not a synchronised copy of a primary's failover slot
 * (PostgreSQL 17 refuses to decode from one until the standby is promoted); each of these is a start
 * error. {@code hot_standby_feedback = off} and an empty {@code primary_slot_name} are warnings: without
 * the first the primary removes catalog rows the slot still needs and the slot is invalidated; without
 * the second the primary's xmin horizon and WAL are not held for the standby while it is disconnected.
 * Stateless; each call uses the caller's connection on the caller's thread.
 */
public final class StandbyDecoding {

    private static final Logger LOG = LoggerFactory.getLogger(StandbyDecoding.class);
    static final int STANDBY_DECODING_VERSION = 160000;

    /**
     * What the standby said.
     *
     * @param slotExists the slot exists on the standby already
     */
    public record Standby(boolean slotExists) {
    }

    private StandbyDecoding() {
    }

    /** {@code pg_is_in_recovery()}: the server is a standby (or being recovered). */
    public static boolean inRecovery(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery("SELECT pg_catalog.pg_is_in_recovery()")) {
            row.next();
            return row.getBoolean(1);
        }
    }

    /**
     * Checks what decoding from the standby needs and logs warnings about its settings.
     *
     * @throws SourceException PostgreSQL older than 16, {@code slot.failover = true}, or a synchronised slot of that name
     */
    public static Standby check(Connection connection, ServerInfo server, String slotName, boolean failover) {
        if (server.versionNum() < STANDBY_DECODING_VERSION) {
            throw new SourceException("the server is a standby (in recovery) running PostgreSQL " + server.version() + ": decoding from a "
                    + "standby needs PostgreSQL 16 or newer. Point postgres.host at the primary (or list it in postgres.hosts with "
                    + "target-server-type = primary)");
        }
        if (failover) {
            throw new SourceException("slot.failover = true, but the server is a standby (in recovery): a failover slot is made on the primary "
                    + "and synchronised to standbys, which cannot stream from it until promoted. To decode from this standby set "
                    + "slot.failover = false (the slot is then the standby's own); to follow the primary set postgres.target-server-type = "
                    + "primary");
        }
        try {
            boolean exists = false;
            try (PreparedStatement statement = connection.prepareStatement("SELECT " + (server.versionNum() >= 170000 ? "synced" : "false")
                    + " FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
                statement.setString(1, slotName);
                try (ResultSet row = statement.executeQuery()) {
                    if (row.next()) {
                        exists = true;
                        if (row.getBoolean(1)) {
                            throw new SourceException("replication slot \"" + slotName + "\" on this standby is a synchronised copy of the "
                                    + "primary's failover slot (synced = true): PostgreSQL decodes from it only once the standby is promoted. "
                                    + "Give pgcdc on the standby a slot of its own (another slot.name), or stream from the primary "
                                    + "(postgres.target-server-type = primary)");
                        }
                    }
                }
            }
            warnAboutSettings(connection, slotName);
            return new Standby(exists);
        } catch (SQLException e) {
            throw new SourceException("cannot check the standby for decoding: " + e.getMessage(), e);
        }
    }

    private static void warnAboutSettings(Connection connection, String slotName) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT current_setting('hot_standby_feedback')::bool, current_setting('primary_slot_name')")) {
            row.next();
            if (!row.getBoolean(1)) {
                LOG.warn("hot_standby_feedback is off on this standby: the primary's VACUUM removes catalog rows that slot {} still needs, and "
                        + "PostgreSQL then invalidates the slot (a conflict; pgcdc stops and the slot must be made anew, skipping changes). "
                        + "Run on the standby: ALTER SYSTEM SET hot_standby_feedback = on; SELECT pg_reload_conf();", slotName);
            }
            String primarySlot = row.getString(2);
            if (primarySlot == null || primarySlot.isEmpty()) {
                LOG.warn("primary_slot_name is empty on this standby: without a physical slot on the primary, the primary keeps neither the WAL "
                        + "this standby still needs nor its hot_standby_feedback while the standby is disconnected, so slot {} can be "
                        + "invalidated. Create one on the primary (SELECT pg_create_physical_replication_slot('<name>');) and set "
                        + "primary_slot_name = '<name>' on the standby", slotName);
            } else {
                LOG.info("decoding from a standby: its physical slot on the primary is {}", Sql.literal(primarySlot));
            }
        }
    }
}
