package dev.pgcdc.api.snapshot;

import dev.pgcdc.api.position.Lsn;

/**
 * A database session holding an exported snapshot open, so that other sessions can read the same
 * state ({@code SET TRANSACTION SNAPSHOT}). The session does nothing else; it must live only until
 * the snapshot job is done or failed, because an open snapshot holds back VACUUM.
 */
public interface ExportedSnapshot extends AutoCloseable {

    /** The id chunk readers import. */
    String snapshotId();

    /** The LSN the snapshot is consistent with: a stream that starts here has every later change and none before. */
    Lsn consistentPoint();

    /** Whether the exporting session is still open (a restart or a network failure ends it). */
    boolean isAlive();

    /** Ends the session, and with it the snapshot. Idempotent. */
    @Override
    void close();
}
