package dev.pgcdc.postgres.replication;

import dev.pgcdc.api.position.Lsn;
import java.sql.SQLException;

/** Starts a replication stream from a position: at start, and again after each reconnect. */
@FunctionalInterface
public interface WalStreamOpener {

    /** @param start where to resume; {@link Lsn#INVALID} for the slot's confirmed position */
    WalStream open(Lsn start) throws SQLException;
}
