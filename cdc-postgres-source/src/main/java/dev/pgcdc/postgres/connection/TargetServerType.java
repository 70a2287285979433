package dev.pgcdc.postgres.connection;

import java.util.Locale;

/**
 * Which kind of server pgcdc's connections accept ({@code postgres.target-server-type}), as pgjdbc's
 * {@code targetServerType}: pgjdbc asks each host in turn whether it is read-only
 * ({@code transaction_read_only}) and takes the first of the kind asked for.
 *
 * <ul>
 *   <li>{@link #PRIMARY}: a primary only; with {@code postgres.hosts} pgcdc follows the primary through a promotion.
 *       The default with {@code hosts}.</li>
 *   <li>{@link #STANDBY}: a hot standby only, for decoding from a standby (PostgreSQL 16+) through its own slot.</li>
 *   <li>{@link #ANY}: whichever answers first. The default with one {@code host}: pgcdc goes on with the same server
 *       when it is promoted.</li>
 * </ul>
 * There is deliberately no {@code prefer-standby}: a logical slot made on a standby exists on that server only, and
 * falling back to another server would stream from another slot of the same name, or from none.
 */
public enum TargetServerType {
    PRIMARY("primary"), STANDBY("secondary"), ANY("any");

    private final String pgjdbcValue;

    TargetServerType(String pgjdbcValue) {
        this.pgjdbcValue = pgjdbcValue;
    }

    /** The configuration spelling: {@code primary}, {@code standby}, {@code any}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** pgjdbc's {@code targetServerType} value. */
    String pgjdbcValue() {
        return pgjdbcValue;
    }

    /** What the servers of a connection description are restricted to, for messages: {@code " (the primary)"}, or empty for any. */
    String describe() {
        return switch (this) {
            case PRIMARY -> " (the primary)";
            case STANDBY -> " (a standby)";
            case ANY -> "";
        };
    }

    /** The type used when none is configured: primary for several servers, any for one. */
    public static TargetServerType defaultFor(ServerAddresses servers) {
        return servers.several() ? PRIMARY : ANY;
    }
}
