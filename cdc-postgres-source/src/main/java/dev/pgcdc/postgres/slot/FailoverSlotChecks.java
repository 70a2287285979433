package dev.pgcdc.postgres.slot;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.postgres.connection.ServerInfo;
import dev.pgcdc.postgres.connection.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks of {@code slot.failover} at start, on the primary: PostgreSQL 17 or newer (else a start
 * error), the slot itself (an existing slot without {@code failover} is reported with the command
 * that switches it), and {@code synchronized_standby_slots} (empty, or naming a slot that is missing
 * or not streaming). Each problem found is a warning that says what it risks; streaming goes on.
 * The settings of the standby ({@code sync_replication_slots}, {@code hot_standby_feedback},
 * {@code primary_slot_name}, {@code dbname} in {@code primary_conninfo}) cannot be read from the
 * primary: they are named once at start and in docs/operations.md ("PostgreSQL failover").
 * Stateless; each call uses the caller's connection on the caller's thread.
 */
public final class FailoverSlotChecks {

    private static final Logger LOG = LoggerFactory.getLogger(FailoverSlotChecks.class);
    static final int FAILOVER_SLOTS_VERSION = 170000;

    private FailoverSlotChecks() {
    }

    /** @throws SourceException when {@code slot.failover = true} and the server is older than PostgreSQL 17 */
    public static void requireSupported(ServerInfo server) {
        if (server.versionNum() < FAILOVER_SLOTS_VERSION) {
            throw new SourceException("slot.failover = true needs PostgreSQL 17 or newer (failover slots), but the server is PostgreSQL "
                    + server.version() + ": set slot.failover = false. On PostgreSQL " + server.major() + " a replication slot lives on the "
                    + "primary only and is lost when a standby is promoted; see docs/operations.md, \"PostgreSQL failover\"");
        }
    }

    /**
     * Checks the slot (when it exists) and {@code synchronized_standby_slots}; logs each problem as a
     * warning and returns them (empty: all is set up as far as the primary can tell).
     */
    public static List<String> check(Connection connection, String slotName) {
        List<String> warnings = new ArrayList<>();
        try {
            slotWithoutFailover(connection, slotName, warnings);
            standbySlots(connection, warnings);
        } catch (SQLException e) {
            warnings.add("cannot check the failover settings of the primary: " + e.getMessage());
        }
        warnings.forEach(LOG::warn);
        LOG.info("slot.failover = true: slot {} survives a promotion only on a standby with sync_replication_slots = on, hot_standby_feedback "
                + "= on, primary_slot_name set and dbname in primary_conninfo (the primary cannot check these; see docs/operations.md, "
                + "\"PostgreSQL failover\")", slotName);
        return warnings;
    }

    private static void slotWithoutFailover(Connection connection, String slotName, List<String> warnings) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT failover FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
            statement.setString(1, slotName);
            try (ResultSet row = statement.executeQuery()) {
                if (row.next() && !row.getBoolean(1)) {
                    warnings.add("slot.failover = true, but replication slot \"" + slotName + "\" exists without failover: it is not "
                            + "synchronised to standbys and is lost when one is promoted. Switch it (pgcdc may keep running) on a replication "
                            + "connection: psql \"dbname=<database> replication=database\" -c 'ALTER_REPLICATION_SLOT "
                            + Sql.identifier(slotName) + " (FAILOVER true)'");
                }
            }
        }
    }

    private static void standbySlots(Connection connection, List<String> warnings) throws SQLException {
        String setting;
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT current_setting('synchronized_standby_slots')")) {
            row.next();
            setting = row.getString(1);
        }
        List<String> names = names(setting);
        if (names.isEmpty()) {
            warnings.add("slot.failover = true, but synchronized_standby_slots is empty on the primary: pgcdc can receive and confirm "
                    + "changes no standby has received yet; after a promotion those changes are missing on the new primary although pgcdc "
                    + "delivered them, and its synchronised slot may be unusable. Name the physical slot of each standby that may be promoted: "
                    + "ALTER SYSTEM SET synchronized_standby_slots = '<standby slot>'; SELECT pg_reload_conf();");
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT active FROM pg_catalog.pg_replication_slots WHERE slot_name = ? AND slot_type = 'physical'")) {
            for (String name : names) {
                statement.setString(1, name);
                try (ResultSet row = statement.executeQuery()) {
                    if (!row.next()) {
                        warnings.add("synchronized_standby_slots names \"" + name + "\", but no physical replication slot of that name exists: "
                                + "decoding waits for it forever and pgcdc receives nothing (the server log warns about it). Create it, "
                                + "or remove it from synchronized_standby_slots");
                    } else if (!row.getBoolean(1)) {
                        warnings.add("synchronized_standby_slots names \"" + name + "\", whose standby is not connected: decoding waits until "
                                + "it streams again and pgcdc receives nothing meanwhile. Start the standby, or remove the slot from "
                                + "synchronized_standby_slots while it is down");
                    }
                }
            }
        }
    }

    /** The slot names of a {@code synchronized_standby_slots} value: comma-separated, optionally double-quoted. */
    static List<String> names(String setting) {
        List<String> names = new ArrayList<>();
        if (setting == null) {
            return names;
        }
        for (String part : setting.split(",")) {
            String name = part.trim();
            if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                name = name.substring(1, name.length() - 1).replace("\"\"", "\"");
            }
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }
}
