package dev.pgcdc.postgres.replication;

import dev.pgcdc.api.position.Lsn;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link WalStream} over pgjdbc's {@link PGReplicationStream} and its connection. */
final class PgWalStream implements WalStream {

    private static final Logger LOG = LoggerFactory.getLogger(PgWalStream.class);

    private final Connection connection;
    private final PGReplicationStream stream;

    PgWalStream(Connection connection, PGReplicationStream stream) {
        this.connection = connection;
        this.stream = stream;
    }

    @Override
    public ByteBuffer readPending() throws SQLException {
        return stream.readPending();
    }

    @Override
    public Lsn lastReceiveLsn() {
        return Lsn.of(stream.getLastReceiveLSN().asLong());
    }

    @Override
    public void sendStatus(Lsn flushed) throws SQLException {
        LogSequenceNumber lsn = LogSequenceNumber.valueOf(flushed.value());
        stream.setFlushedLSN(lsn);
        stream.setAppliedLSN(lsn);
        stream.forceUpdateStatus();
    }

    @Override
    public void stop() {
        try {
            // CopyDone; the walsender answers with CopyDone at once and pgjdbc reads up to it. Bounded
            // by the socket timeout pgjdbc set from the status interval.
            stream.close();
        } catch (SQLException e) {
            LOG.debug("ending the replication stream cleanly failed; closing its connection", e);
        }
        close();
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("closing the replication connection failed", e);
        }
    }
}
