package dev.pgcdc.postgres.replication;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.connection.Sql;
import dev.pgcdc.postgres.slot.SlotInUseException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.OptionalLong;
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
 *
 * <p>pgjdbc's automatic flush is turned off. With it on, a keepalive makes pgjdbc raise its flushed
 * LSN to the server's WAL end whenever the last flushed LSN it sent is at or past the start of the
 * last data message, and a keepalive that asks for a reply is answered with that at once. The last
 * message can start before the confirmed LSN (the Begin or a change of a long transaction that began
 * before an acknowledged one) while a later transaction is handed out and not acknowledged: the slot
 * would be confirmed past it, and a crash would lose it. With it off, pgjdbc still answers reply
 * requests at once as it reads (and on its own timer), but with the flushed LSN the source last set,
 * which is always {@link dev.pgcdc.api.position.PositionTracker#confirmedLsn()}.
 *
 * <p>Before streaming, the first connection runs {@code IDENTIFY_SYSTEM} and reads its TLS state:
 * {@link #identity()}.
 *
 * <p><b>A slot held by another walsender.</b> PostgreSQL refuses {@code START_REPLICATION} on a slot
 * another walsender holds ({@code 55006}, {@code ... is active for PID n}). When that walsender is not
 * this opener's previous one (which may still be going away after a lost connection: a transient
 * refusal, retried), the slot belongs to someone else: {@link SlotInUseException}. The replication
 * session's {@code application_name} names the instance ({@code pgcdc <instance>}), so that
 * {@code pg_stat_replication} tells other instances who streams.
 */
public final class PgWalStreamOpener implements WalStreamOpener {

    private static final Logger LOG = LoggerFactory.getLogger(PgWalStreamOpener.class);

    private final ConnectionFactory connections;
    private final String slotName;
    private final String publicationName;
    private final int serverVersionNum;
    private final int protocolVersion;
    private final Duration statusInterval;
    private final String applicationName;
    private volatile StreamIdentity identity;
    /** The walsender of the last stream this opener started, 0 before; reader thread (the starting thread before). */
    private volatile long walsenderPid;

    public PgWalStreamOpener(ConnectionFactory connections, String slotName, String publicationName, int serverVersionNum,
            Duration statusInterval) {
        this(connections, slotName, publicationName, serverVersionNum, statusInterval, null);
    }

    /** @param applicationName the replication session's {@code application_name}, null for the connection's default */
    public PgWalStreamOpener(ConnectionFactory connections, String slotName, String publicationName, int serverVersionNum,
            Duration statusInterval, String applicationName) {
        this.applicationName = applicationName;
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

    /** The cluster identity and the replication connection's TLS state, read on the first open; null before. Any thread. */
    public StreamIdentity identity() {
        return identity;
    }

    /** The process id of the walsender of the last stream started, 0 before the first. Any thread. */
    public long walsenderPid() {
        return walsenderPid;
    }

    /** @throws SlotInUseException when another walsender (not this opener's previous one) holds the slot */
    @Override
    public WalStream open(Lsn start) throws SQLException {
        Connection connection = connections.openReplication();
        try {
            if (identity == null) {
                identity = StreamIdentity.read(connection);
            }
            if (applicationName != null) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SET application_name = " + Sql.literal(applicationName));
                }
            }
            ChainedLogicalStreamBuilder builder = connection.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(slotName)
                    .withStartPosition(LogSequenceNumber.valueOf(start.value()))
                    .withSlotOption("proto_version", Integer.toString(protocolVersion))
                    // a list of identifiers: quoted, so any publication name works; pgjdbc puts it in single quotes
                    .withSlotOption("publication_names", Sql.identifier(publicationName).replace("'", "''"))
                    .withStatusInterval((int) Math.min(Integer.MAX_VALUE, statusInterval.toMillis() * 10), TimeUnit.MILLISECONDS)
                    .withAutomaticFlush(false);
            if (serverVersionNum >= 140000) {
                builder.withSlotOption("messages", "true");
            }
            if (protocolVersion >= 2) {
                builder.withSlotOption("streaming", "on");
            }
            PGReplicationStream stream = startOrExplain(builder);
            walsenderPid = connection.unwrap(PGConnection.class).getBackendPID();
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

    private PGReplicationStream startOrExplain(ChainedLogicalStreamBuilder builder) throws SQLException {
        try {
            return builder.start();
        } catch (SQLException e) {
            OptionalLong holder = SlotInUseException.holderPid(e);
            if (holder.isPresent() && holder.getAsLong() != walsenderPid) {
                throw new SlotInUseException(slotName, holder.getAsLong(), e);
            }
            throw e;
        }
    }
}
