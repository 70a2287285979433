package dev.pgcdc.postgres;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.position.PositionTracker;
import dev.pgcdc.api.position.StreamOrigin;
import dev.pgcdc.api.runtime.OrderedPositionTracker;
import dev.pgcdc.api.source.ChangeSource;
import dev.pgcdc.api.source.SlotSource;
import dev.pgcdc.postgres.connection.CatalogConnection;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.connection.ServerInfo;
import dev.pgcdc.postgres.connection.SessionEncryption;
import dev.pgcdc.postgres.connection.TargetServerType;
import dev.pgcdc.postgres.heartbeat.HeartbeatWriter;
import dev.pgcdc.postgres.pgoutput.JdbcNotNullColumns;
import dev.pgcdc.postgres.pgoutput.JdbcPrimaryKeys;
import dev.pgcdc.postgres.pgoutput.RelationCache;
import dev.pgcdc.postgres.pgoutput.StreamedTransactions;
import dev.pgcdc.postgres.publication.PublicationManager;
import dev.pgcdc.postgres.publication.PublicationSpec;
import dev.pgcdc.postgres.publication.PublishedTable;
import dev.pgcdc.postgres.replication.PgWalStreamOpener;
import dev.pgcdc.postgres.replication.ReplicationReader;
import dev.pgcdc.postgres.replication.StreamIdentity;
import dev.pgcdc.postgres.slot.FailoverSlotChecks;
import dev.pgcdc.postgres.slot.ReplicationPrerequisites;
import dev.pgcdc.postgres.slot.RunningTransactionsRequests;
import dev.pgcdc.postgres.slot.SlotInUseException;
import dev.pgcdc.postgres.slot.SlotManager;
import dev.pgcdc.postgres.slot.SlotPolicy;
import dev.pgcdc.postgres.slot.StandbyDecoding;
import dev.pgcdc.postgres.types.JdbcTypeCatalog;
import dev.pgcdc.postgres.types.TypeRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL {@link ChangeSource}: streams a logical replication slot with {@code pgoutput}
 * and emits typed change events in commit order, each with a strictly increasing position
 * {@code (commit LSN, index in transaction)}. PostgreSQL is told an LSN is flushed only once every
 * event before it is {@link #acknowledge acknowledged}, so nothing is lost across crashes.
 *
 * <p>{@link #start()} checks the server (wal_level, privileges, slot and walsender limits),
 * applies the tables' replica identity, checks (and when configured creates or alters) the
 * publication and the slot, then starts streaming from the slot's confirmed position with the
 * highest pgoutput protocol the server speaks (streaming of large transactions on 14+).
 *
 * <p><b>Decoding from a standby</b> (PostgreSQL 16+). When the server is in recovery
 * ({@code pg_is_in_recovery()}), the slot is the standby's own and nothing is written there: the
 * publication and the replica identities are checked only (they replicate from the primary; what is
 * missing is an error saying what to run on the primary); heartbeats are written on the primary when
 * {@code postgres.hosts} lists it, else they are off (logged); while the slot is created, the primary
 * (when listed) is asked to log its running transactions, which the creation waits for; and an initial
 * snapshot ({@link #preparePublication}) is refused, since a standby can neither export the slot's
 * snapshot nor hold the snapshot's coordination tables. See {@link StandbyDecoding}.
 *
 * <p>Threading: {@link #start}, {@link #poll}, {@link #keepAlive}, {@link #isBetweenTransactions} and
 * {@link #close} from one thread (the pipeline's); {@link #acknowledge} and the accessors from any.
 * A thread of its own, {@code pgcdc-source-<slot>}, owns the replication connection: it reads and
 * decodes, sends status updates and keepalive replies, writes heartbeats, does the catalog look-ups
 * and reconnects (with backoff), and hands events to {@code poll} through a bounded queue; so status
 * updates keep going out however long the consumer blocks. A decode error or a permanent failure
 * (slot dropped, privileges revoked) on that thread throws a {@link SourceException} from {@code poll}.
 *
 * <p><b>A slot held by another instance.</b> When another walsender streams from the slot (another
 * pgcdc instance of an active/passive group), {@link #start()} throws a {@link SlotInUseException}
 * before it changes anything (publication, replica identity, slot), or when it loses the race for
 * {@code START_REPLICATION}, and may then be called again. {@link #claimSlot()} is the same start for
 * an owner that must hold the slot before it starts anything else (the failover controller: the
 * Kafka sink's transactional producer must not fence the active instance before this one won);
 * the next {@link #start()} then has nothing left to do. Should the slot be taken by another
 * instance while this one reconnects, {@code poll} throws a {@link SlotInUseException}.
 *
 * <pre>{@code
 * PostgresSource source = new PostgresSource(PostgresSourceSettings.builder()
 *         .host("db").database("shop").user("cdc").password(secret)
 *         .publicationName("shop_pub").slotName("shop_slot").tables("public.orders", "public.customers")
 *         .build());
 * }</pre>
 */
public final class PostgresSource implements SlotSource {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresSource.class);

    private final PostgresSourceSettings settings;
    private final PositionTracker tracker = new OrderedPositionTracker();
    private CatalogConnection catalog;
    /** The heartbeat's connection to the primary when streaming from a standby; null otherwise. */
    private CatalogConnection primaryCatalog;
    private HeartbeatWriter heartbeat;
    private ReplicationReader reader;
    private StreamedTransactions streams;
    private PgWalStreamOpener opener;
    private volatile int protocolVersion;
    private volatile boolean closed;
    private final String instanceName;
    /** {@link #claimSlot} started streaming and {@link #start} has not been called since. */
    private boolean claimed;

    public PostgresSource(PostgresSourceSettings settings) {
        this(settings, null);
    }

    /**
     * @param instanceName names this instance in {@code pg_stat_replication.application_name}
     *                     ({@code pgcdc <instanceName>}), so other instances see who streams; null leaves the default
     */
    public PostgresSource(PostgresSourceSettings settings, String instanceName) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.instanceName = instanceName;
    }

    public PostgresSourceSettings settings() {
        return settings;
    }

    @Override
    public String slotName() {
        return settings.slotName();
    }

    /**
     * The start-up checks and the publication (created or completed as {@code publication.*} says,
     * replica identities applied) without touching the slot: for an initial snapshot, which reads the
     * publication's tables before the slot exists. {@link #start()} does it again, harmlessly.
     *
     * @throws SourceException saying what is wrong
     */
    @Override
    public void preparePublication() {
        ConnectionFactory connections = settings.connections();
        try (Connection connection = connections.openRegular()) {
            ServerInfo server = ServerInfo.read(connection);
            if (StandbyDecoding.inRecovery(connection)) {
                throw new SourceException("an initial snapshot (pgcdc.snapshot.mode = initial) cannot run on a standby: " + connections.description()
                        + " is in recovery, and a standby can neither export the new slot's snapshot (CREATE_REPLICATION_SLOT ... SNAPSHOT "
                        + "'export') nor write the snapshot's coordination tables. Run the initial snapshot against the primary once, then point "
                        + "pgcdc at the standby with pgcdc.snapshot.mode = never; see docs/operations.md, \"PostgreSQL failover\"");
            }
            ReplicationPrerequisites.check(connection, server, settings.slotName());
            new PublicationManager(connection, server.versionNum()).ensure(publicationSpec(false));
        } catch (SQLException e) {
            throw new SourceException("cannot prepare the publication \"" + settings.publicationName() + "\" on " + connections.description()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Everything {@link #start()} does, for an owner that must hold the slot before it starts anything
     * else; the next {@link #start()} returns at once. Thread: the one that then calls {@code start}.
     *
     * @throws SlotInUseException another walsender holds the slot; nothing changed, may be called again
     */
    public void claimSlot() {
        startStreaming();
        claimed = true;
    }

    /** {@link #claimSlot()}, false instead of a {@link SlotInUseException}. */
    @Override
    public boolean tryClaimSlot() {
        try {
            claimSlot();
            return true;
        } catch (SlotInUseException e) {
            LOG.debug("slot {} taken by another instance first", e.slotName(), e);
            return false;
        }
    }

    /**
     * Checks the server, the publication and the slot and starts streaming.
     *
     * @throws SlotInUseException another walsender holds the slot; nothing changed, may be called again
     */
    @Override
    public void start() {
        if (claimed) {
            claimed = false;
            return;
        }
        startStreaming();
    }

    private void startStreaming() {
        if (reader != null || closed) {
            throw new IllegalStateException("source of slot " + settings.slotName() + " already started or closed");
        }
        ConnectionFactory connections = settings.connections();
        catalog = new CatalogConnection(connections);
        try (Connection connection = connections.openRegular()) {
            ServerInfo server = ServerInfo.read(connection);
            LOG.info("connected to PostgreSQL {}, {}", server.version(), connections.description());
            SessionEncryption catalogEncryption = SessionEncryption.of(connection);
            boolean standby = StandbyDecoding.inRecovery(connection);
            ReplicationPrerequisites.check(connection, server, settings.slotName());
            StandbyDecoding.Standby standbyState = null;
            if (standby) {
                standbyState = StandbyDecoding.check(connection, server, settings.slotName(), settings.slotFailover());
                LOG.info("{} is a standby (in recovery): decoding from a standby through its own slot {}. The publication and replica "
                        + "identities are checked, not changed (they replicate from the primary){}", connections.description(),
                        settings.slotName(), settings.publicationCreateIfNotExists() ? "; publication.create-if-not-exists has no effect here" : "");
            } else if (settings.slotFailover()) {
                FailoverSlotChecks.requireSupported(server);
            }
            SlotManager slots = new SlotManager(connection);
            OptionalLong holder = slots.activePid(settings.slotName());
            if (holder.isPresent()) {
                throw new SlotInUseException(settings.slotName(), holder.getAsLong(), null);
            }
            if (settings.heartbeatTable() != null) {
                heartbeat = standby ? standbyHeartbeat(connections) : new HeartbeatWriter(catalog, settings.heartbeatTable(),
                        settings.heartbeatInterval());
                if (!standby) {
                    heartbeat.prepare(settings.publicationCreateIfNotExists());
                }
            }
            boolean publicationExisted = slots.publicationExists(settings.publicationName());
            new PublicationManager(connection, server.versionNum(), standby).ensure(publicationSpec(standby));
            // on a standby the publication always exists before the slot (it replicates from the primary): no sign of a lost slot
            SlotPolicy policy = new SlotPolicy(settings.slotCreateIfNotExists(), settings.slotFailover(), settings.slotRecreateAfterFailover(),
                    publicationExisted && !standby, () -> timeline(connections));
            RunningTransactionsRequests requests = standby && !standbyState.slotExists() && settings.slotCreateIfNotExists()
                    ? askPrimaryForRunningTransactions(connections) : null;
            Lsn slotPosition;
            try {
                slotPosition = slots.ensure(settings.slotName(), policy, server.database());
            } finally {
                if (requests != null) {
                    requests.close();
                }
            }
            if (settings.slotFailover()) {
                FailoverSlotChecks.check(connection, settings.slotName());
            }
            tracker.checkpoint(slotPosition);
            Path spillDirectory = settings.spillDirectory() != null ? settings.spillDirectory() : Path.of(System.getProperty("java.io.tmpdir"));
            // leftovers of an earlier holder of the slot are deleted once the stream runs (ReplicationReader.start), not here:
            // until then another instance may be streaming the slot and spilling to the same directory
            streams = new StreamedTransactions(settings.streamBufferMemory(), spillDirectory, "pgcdc-" + settings.slotName() + "-");
            RelationCache relations = new RelationCache(new TypeRegistry(new JdbcTypeCatalog(catalog)), settings::captures,
                    new JdbcPrimaryKeys(catalog), settings.keyChange(), new JdbcNotNullColumns(catalog));
            opener = new PgWalStreamOpener(connections, settings.slotName(), settings.publicationName(), server.versionNum(),
                    settings.statusInterval(), instanceName == null ? null : "pgcdc " + instanceName);
            protocolVersion = opener.protocolVersion();
            HeartbeatWriter beat = heartbeat;
            reader = new ReplicationReader(settings.slotName(), opener, tracker, relations, streams, settings.statusInterval(),
                    settings.reconnectBackoff(), settings.reconnectMaxBackoff(), beat == null ? () -> { } : beat::beatIfDue);
            reader.start();
            logEncryption(catalogEncryption, opener.identity().encryption());
            LOG.info("slot {} belongs to {}, server WAL at {}", settings.slotName(), opener.identity().origin().describe(),
                    opener.identity().origin().walEnd());
        } catch (SQLException e) {
            abandonStart();
            throw new SourceException("cannot start the source of slot \"" + settings.slotName() + "\" on " + connections.description() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            abandonStart();
            throw e;
        }
    }

    /**
     * Heartbeats while streaming from a standby, which cannot be written to: on the primary when
     * {@code postgres.hosts} lists several servers (one of them is the primary), else none. The table
     * is not created here: the publication check on the standby reports it when it is missing.
     */
    private HeartbeatWriter standbyHeartbeat(ConnectionFactory connections) {
        if (!settings.servers().several()) {
            LOG.warn("heartbeat.table = {} is set, but {} is a standby, where nothing can be written: pgcdc writes no heartbeats. List the "
                    + "primary in postgres.hosts too (with target-server-type = standby) to have them written there, or update the table "
                    + "from the primary yourself", settings.heartbeatTable(), connections.description());
            return null;
        }
        ConnectionFactory primary = connections.targeting(TargetServerType.PRIMARY);
        primaryCatalog = new CatalogConnection(primary);
        LOG.info("streaming from a standby: heartbeats to {} are written every {} on {}", settings.heartbeatTable(),
                settings.heartbeatInterval(), primary.description());
        return new HeartbeatWriter(primaryCatalog, settings.heartbeatTable(), settings.heartbeatInterval());
    }

    /**
     * Creating a slot on a standby waits for the primary to log its running transactions: asks the
     * primary for that record meanwhile, when {@code postgres.hosts} lists it; null otherwise.
     */
    private RunningTransactionsRequests askPrimaryForRunningTransactions(ConnectionFactory connections) {
        if (!settings.servers().several()) {
            LOG.info("creating slot {} on a standby waits until the primary logs its running transactions: every 15 s while the primary "
                    + "writes, at once when SELECT pg_log_standby_snapshot(); runs there", settings.slotName());
            return null;
        }
        ConnectionFactory primary = connections.targeting(TargetServerType.PRIMARY);
        LOG.info("creating slot {} on a standby waits until the primary logs its running transactions: asking {} for them "
                + "(pg_log_standby_snapshot()) every second meanwhile", settings.slotName(), primary.description());
        return RunningTransactionsRequests.start(primary, Duration.ofSeconds(1));
    }

    /**
     * The server's timeline ({@code IDENTIFY_SYSTEM}, which any replication role may run); 0 (unknown)
     * when no replication connection can be opened: then neither can the slot be streamed, and the
     * server's own refusal, when it creates the slot, says why.
     */
    private static long timeline(ConnectionFactory connections) {
        try {
            return ServerInfo.timeline(connections);
        } catch (SQLException e) {
            LOG.warn("cannot read the timeline of {} to tell whether the server was promoted: {}", connections.description(), e.getMessage());
            return 0;
        }
    }

    /** After a failed start: closes what was opened and forgets it, so that start may be tried again (a slot in use). */
    private void abandonStart() {
        closeQuietly();
        reader = null;
        opener = null;
        catalog = null;
        primaryCatalog = null;
        heartbeat = null;
        streams = null;
        protocolVersion = 0;
    }

    /**
     * {@code ssl-mode = prefer} (the default) and {@code allow} fall back to plaintext silently when the
     * server offers no TLS: say at start what the connections really are.
     */
    private void logEncryption(SessionEncryption catalogEncryption, SessionEncryption replicationEncryption) {
        String mode = settings.sslMode().configName();
        boolean fellBack = (!catalogEncryption.encrypted() || !replicationEncryption.encrypted()) && settings.sslMode() != SslMode.DISABLE;
        if (fellBack) {
            LOG.warn("connections to PostgreSQL: catalog {}, replication {}, although postgres.ssl-mode = {}: the server offered no TLS, "
                    + "so pgcdc fell back to plaintext; set postgres.ssl-mode = verify-full (with ssl-root-cert) to require an encrypted, "
                    + "verified connection", catalogEncryption.describe(), replicationEncryption.describe(), mode);
        } else {
            LOG.info("connections to PostgreSQL: catalog {}, replication {} (postgres.ssl-mode = {})", catalogEncryption.describe(),
                    replicationEncryption.describe(), mode);
        }
    }

    @Override
    public List<ChangeEvent> poll(int maxEvents, Duration timeout) throws InterruptedException {
        requireStarted();
        return reader.poll(maxEvents, timeout);
    }

    /** Nothing to do: the reader thread sends status updates on its own, whether or not anyone polls. */
    @Override
    public void keepAlive() {
        requireStarted();
    }

    /**
     * Whether every transaction whose events {@link #poll} handed out has had its Commit handed out
     * too, so that a stop now confirms all of it once it is acknowledged. After a {@code false}, the
     * following polls end at that transaction's Commit instead of starting the next transaction, so an
     * owner that polls on until this holds (on a stop) finishes the open transaction only. Poll thread.
     */
    @Override
    public boolean isBetweenTransactions() {
        ReplicationReader current = reader;
        return current == null || current.isBetweenTransactions();
    }

    /**
     * The cluster's system identifier and timeline, and the server's WAL position when streaming
     * started, from {@code IDENTIFY_SYSTEM} on the replication connection; empty before {@link #start}.
     */
    @Override
    public Optional<StreamOrigin> origin() {
        PgWalStreamOpener current = opener;
        StreamIdentity identity = current == null ? null : current.identity();
        return identity == null ? Optional.empty() : Optional.of(identity.origin());
    }

    @Override
    public void acknowledge(Position position) {
        tracker.acknowledge(position);
    }

    /** Sends a last status update with the confirmed LSN, then closes the connections. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly();
        LOG.info("source of slot {} closed; confirmed {}", settings.slotName(), tracker.confirmedLsn());
    }

    /** The LSN confirmed to PostgreSQL (or to be confirmed with the next status update). Any thread. */
    public Lsn confirmedLsn() {
        return tracker.confirmedLsn();
    }

    /** Events handed out and not yet acknowledged. Any thread. */
    public int inFlight() {
        ReplicationReader current = reader;
        int registered = tracker.inFlight();
        // the reader registers events before they wait in its hand-off for a poll; those are not handed out yet
        return current == null ? registered : Math.max(0, registered - current.bufferedEvents());
    }

    /** The negotiated pgoutput protocol version, 0 before start. */
    public int protocolVersion() {
        return protocolVersion;
    }

    /** Whether the replication connection is up (false while reconnecting). Any thread. */
    public boolean isConnected() {
        ReplicationReader current = reader;
        return current != null && current.isConnected();
    }

    /** Reconnects after lost connections so far. Any thread. */
    public long reconnects() {
        ReplicationReader current = reader;
        return current == null ? 0 : current.reconnects();
    }

    /** Heap bytes held by streamed transactions waiting for their commit. Any thread (a gauge: read without a lock). */
    long streamBufferMemoryUsed() {
        return streams == null ? 0 : streams.memoryUsed();
    }

    /** How many streamed transactions spilled to disk so far. Any thread (a gauge: read without a lock). */
    long spilledTransactions() {
        return streams == null ? 0 : streams.spilledTransactions();
    }

    /** @param standby on a standby nothing is created or altered, whatever {@code publication.create-if-not-exists} says */
    private PublicationSpec publicationSpec(boolean standby) {
        List<PublishedTable> tables = new ArrayList<>();
        for (TableSettings table : settings.tables()) {
            ReplicaIdentity identity = table.replicaIdentity();
            tables.add(new PublishedTable(table.table(), identity == null ? null
                    : new PublishedTable.Identity(identityLetter(identity), identity.indexName(), identity.sql()), table.columns()));
        }
        if (settings.heartbeatTable() != null) {
            tables.add(new PublishedTable(settings.heartbeatTable(), null, List.of()));
        }
        Set<String> operations = settings.publicationOperations().stream().map(Operation::name).map(name -> name.toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        return new PublicationSpec(settings.publicationName(), settings.publicationCreateIfNotExists() && !standby, operations, tables,
                settings.publicationAllTables());
    }

    private static char identityLetter(ReplicaIdentity identity) {
        return switch (identity.kind()) {
            case DEFAULT -> 'd';
            case FULL -> 'f';
            case NOTHING -> 'n';
            case USING_INDEX -> 'i';
        };
    }

    private void requireStarted() {
        if (reader == null || closed) {
            throw new IllegalStateException("source of slot " + settings.slotName() + (closed ? " is closed" : " is not started"));
        }
    }

    private void closeQuietly() {
        if (reader != null) {
            try {
                reader.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the replication stream of slot {} failed", settings.slotName(), e);
            }
        }
        if (catalog != null) {
            catalog.close();
        }
        if (primaryCatalog != null) {
            primaryCatalog.close();
        }
    }
}
