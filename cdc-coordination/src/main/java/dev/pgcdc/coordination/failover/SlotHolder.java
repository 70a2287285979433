package dev.pgcdc.coordination.failover;

/**
 * Who streams from a replication slot, as PostgreSQL shows it ({@code pg_replication_slots} joined with
 * {@code pg_stat_replication}).
 *
 * @param exists          whether the slot exists
 * @param active          whether a walsender streams from it now
 * @param pid             that walsender's process id, 0 when none
 * @param clientAddress   the address the walsender's client connected from, null when unknown (a Unix socket, or not visible to this role)
 * @param applicationName the client's {@code application_name} (pgcdc sets {@code pgcdc <instance id>}), null when unknown
 */
public record SlotHolder(boolean exists, boolean active, long pid, String clientAddress, String applicationName) {

    /** A slot no walsender streams from. */
    public static SlotHolder free(boolean exists) {
        return new SlotHolder(exists, false, 0, null, null);
    }

    /** For log lines: {@code PID 4711 (pgcdc host-1-123 from 10.0.0.5)}, or {@code nobody}. */
    public String describe() {
        if (!active) {
            return exists ? "nobody" : "nobody (the slot does not exist yet)";
        }
        StringBuilder text = new StringBuilder("PID ").append(pid);
        if (applicationName != null || clientAddress != null) {
            text.append(" (").append(applicationName == null ? "unknown client" : applicationName);
            if (clientAddress != null) {
                text.append(" from ").append(clientAddress);
            }
            text.append(')');
        }
        return text.toString();
    }
}
