package dev.pgcdc.postgres.slot;

import dev.pgcdc.api.SourceException;
import java.sql.SQLException;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The replication slot is held by another walsender: another pgcdc instance streams from it (or
 * another client does). Not a failure of this instance: under active/passive failover it means
 * "stay passive and try again when the slot is free". {@link dev.pgcdc.postgres.PostgresSource#start()}
 * throws it, and may be called again afterwards.
 */
public final class SlotInUseException extends SourceException {
    private static final long serialVersionUID = 1L;

    /** SQLSTATE object_not_in_prerequisite_state: PostgreSQL's {@code replication slot "x" is active for PID n}. */
    private static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55006";
    private static final Pattern PID = Pattern.compile("PID (\\d+)");

    private final String slotName;
    private final long activePid;

    /** @param activePid the walsender holding the slot, 0 when unknown */
    public SlotInUseException(String slotName, long activePid, Throwable cause) {
        super("replication slot \"" + slotName + "\" is in use by another walsender" + (activePid > 0 ? " (PID " + activePid + ")" : "")
                + ": another instance streams from it", cause);
        this.slotName = slotName;
        this.activePid = activePid;
    }

    public String slotName() {
        return slotName;
    }

    /** The process id of the walsender that holds the slot, 0 when unknown. */
    public long activePid() {
        return activePid;
    }

    /**
     * The PID of the walsender named by the server's refusal to start replication because the slot
     * is active ({@code 55006}, {@code replication slot "x" is active for PID n}); empty for any
     * other failure.
     */
    public static OptionalLong holderPid(SQLException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && OBJECT_NOT_IN_PREREQUISITE_STATE.equals(sql.getSQLState())) {
                Matcher pid = PID.matcher(String.valueOf(sql.getMessage()));
                return pid.find() ? OptionalLong.of(Long.parseLong(pid.group(1))) : OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }
}
