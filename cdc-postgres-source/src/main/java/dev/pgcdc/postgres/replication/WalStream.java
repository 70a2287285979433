package dev.pgcdc.postgres.replication;

import dev.pgcdc.api.position.Lsn;
import java.nio.ByteBuffer;
import java.sql.SQLException;

/**
 * One started logical replication stream: pgoutput messages in, standby status updates out. The
 * implementation over pgjdbc is {@link PgWalStream}; tests use scripted ones. Replication thread only.
 */
public interface WalStream extends AutoCloseable {

    /**
     * The next pgoutput message (type byte first, a heap buffer), or null when none has arrived.
     * Keepalives are handled inside (answered when the server asks) and never returned.
     */
    ByteBuffer readPending() throws SQLException;

    /**
     * The WAL position of the last message returned, or the server's WAL end from a later
     * keepalive: everything the server had to send up to there has been returned.
     */
    Lsn lastReceiveLsn();

    /** Sends a standby status update reporting {@code flushed} as written, flushed and applied. */
    void sendStatus(Lsn flushed) throws SQLException;

    /**
     * Ends the stream cleanly: tells the server to stop (CopyDone), reads and drops what it still
     * sends, then closes the connection. The status updates sent before are processed by the server
     * first, which a plain {@link #close()} does not guarantee: closing a socket with unread data
     * resets the connection and the server may drop what it had not read yet.
     */
    void stop();

    /** Closes the stream and its connection at once (it is broken, or {@link #stop()} failed). */
    @Override
    void close();
}
