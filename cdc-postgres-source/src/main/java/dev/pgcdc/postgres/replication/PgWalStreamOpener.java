package dev.pgcdc.postgres.replication;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.connection.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.replication.fluent.logical.ChainedLogicalStreamBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a replication connection and starts {@code pgoutput} on the slot: the negotiated protocol
 * version, the publication, {@code messages} (PostgreSQL 14+) and {@code streaming on} (protocol 2+).
 * pgjdbc's own status interval is set to ten times the source's: the source sends its updates
 * itself ({@link ReplicationReader}), so pgjdbc's timer, reset by every update, is only a fallback.
 */
public final class PgWalStreamOpener implements WalStreamOpener {

    private static final Logger LOG = LoggerFactory.getLogger(PgWalStreamOpener.class);

    private final ConnectionFactory connections;
    private final String slotName;
    private final String publicationName;
    private final int serverVersionNum;
    private final int protocolVersion;
    private final Duration statusInterval;

    public PgWalStreamOpener(ConnectionFactory connections, String slotName, String publicationName, int serverVersionNum,
            Duration statusInterval) {
        this.connections = connections;
        this.slotName = slotName;
        this.publicationName = publicationName;
        this.serverVersionNum = serverVersionNum;
        this.protocolVersion = ProtocolVersion.forServer(serverVersionNum);
        this.statusInterval = statusInterval;
    }

    public int protocolVersion() {
        return protocolVersion;
    }

    @Override
    public WalStream open(Lsn start) throws SQLException {
        Connection connection = connections.openReplication();
        try {
            ChainedLogicalStreamBuilder builder = connection.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(slotName)
                    .withStartPosition(LogSequenceNumber.valueOf(start.value()))
                    .withSlotOption("proto_version", Integer.toString(protocolVersion))
                    // a list of identifiers: quoted, so any publication name works; pgjdbc puts it in single quotes
                    .withSlotOption("publication_names", Sql.identifier(publicationName).replace("'", "''"))
                    .withStatusInterval((int) Math.min(Integer.MAX_VALUE, statusInterval.toMillis() * 10), TimeUnit.MILLISECONDS);
            if (serverVersionNum >= 140000) {
                builder.withSlotOption("messages", "true");
            }
            if (protocolVersion >= 2) {
                builder.withSlotOption("streaming", "on");
            }
            PGReplicationStream stream = builder.start();
            LOG.info("replication from slot {} started at {} (pgoutput protocol {}, {})", slotName, start.isValid() ? start : "its confirmed position",
                    protocolVersion, connections.description());
            return new PgWalStream(connection, stream);
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }
}
