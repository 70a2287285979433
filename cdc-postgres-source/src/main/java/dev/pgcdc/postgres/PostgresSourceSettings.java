package dev.pgcdc.postgres;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.postgres.connection.ClientCertificate;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.connection.ServerAddresses;
import dev.pgcdc.postgres.connection.TargetServerType;
import dev.pgcdc.postgres.pgoutput.KeyChange;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Everything {@link PostgresSource} needs: connection, publication, slot, heartbeat and the
 * source's own limits. Immutable; build with {@link #builder()} (only connection, publication,
 * slot and tables are required) or read the {@code pgcdc} configuration tree with
 * {@link #from(PluginConfig)}. Invalid values are reported all at once in a
 * {@link ConfigurationException}. {@link #toString()} masks the password.
 *
 * @param host                         PostgreSQL host ({@code postgres.host}); with {@code hosts}, null or the first of them (for
 *                                     metric labels and messages; read from the first of {@code hosts} then)
 * @param port                         port ({@code postgres.port}, 5432); with {@code hosts}, the default port of an entry without
 *                                     one, read back as the first host's port
 * @param database                     database ({@code postgres.database})
 * @param user                         user, needs the REPLICATION attribute ({@code postgres.user})
 * @param password                     password, may be null ({@code postgres.password})
 * @param sslMode                      TLS mode ({@code postgres.ssl-mode}, prefer)
 * @param sslRootCert                  CA certificate file, null for the default ({@code postgres.ssl-root-cert})
 * @param publicationName              the publication ({@code publication.name})
 * @param publicationCreateIfNotExists create or alter the publication to match ({@code publication.create-if-not-exists}, false)
 * @param publicationOperations        published operations, a subset of INSERT, UPDATE, DELETE, TRUNCATE ({@code publication.operations})
 * @param tables                       captured tables ({@code publication.tables}); events of other tables are dropped
 * @param publicationAllTables         a {@code FOR ALL TABLES} publication ({@code publication.all-tables}, false); then
 *                                     {@code tables} may be empty, meaning every table is captured
 * @param slotName                     the logical replication slot ({@code slot.name})
 * @param slotCreateIfNotExists        create the slot when missing ({@code slot.create-if-not-exists}, false)
 * @param slotActivityCheckInterval    how often passive instances check the slot ({@code slot.activity-check-interval}, 1s)
 * @param statusInterval               standby status updates, also under load ({@code slot.status-interval}, 1s)
 * @param heartbeatTable               the heartbeat table, null for none ({@code heartbeat.table})
 * @param heartbeatInterval            how often it is updated ({@code heartbeat.interval}, 5s)
 * @param reconnectBackoff             first wait before reconnecting, doubled per failed attempt ({@code postgres.reconnect-backoff}, 1s)
 * @param reconnectMaxBackoff          the longest wait between attempts ({@code postgres.reconnect-max-backoff}, 30s)
 * @param streamBufferMemory           heap bytes for streamed transactions awaiting their commit, beyond which they
 *                                     spill to disk ({@code postgres.stream-buffer-memory}, 2 MiB)
 * @param spillDirectory               where they spill, null for {@code java.io.tmpdir} ({@code postgres.spill-directory})
 * @param keyChange                    what an update that changes the row's key becomes ({@code postgres.key-change}, delete-create)
 * @param hosts                        several servers, each {@code host} or {@code host:port} ({@code postgres.hosts}, empty): every
 *                                     connection goes to the one that is primary; empty when {@code host} names the one server
 * @param slotFailover                 create the slot with {@code failover} (PostgreSQL 17+) and check the server side of failover
 *                                     slots ({@code slot.failover}, false)
 * @param slotRecreateAfterFailover    create a missing slot even when it looks lost in a failover ({@code slot.recreate-after-failover},
 *                                     false)
 * @param clientCertificate            the client certificate every connection presents ({@code postgres.ssl-cert},
 *                                     {@code postgres.ssl-key}, {@code postgres.ssl-password}), or null for none
 * @param targetServerType             the kind of server connections accept ({@code postgres.target-server-type}); null: primary
 *                                     with several {@code hosts}, any with one server
 */
public record PostgresSourceSettings(
        String host,
        int port,
        String database,
        String user,
        String password,
        SslMode sslMode,
        String sslRootCert,
        String publicationName,
        boolean publicationCreateIfNotExists,
        Set<Operation> publicationOperations,
        List<TableSettings> tables,
        boolean publicationAllTables,
        String slotName,
        boolean slotCreateIfNotExists,
        Duration slotActivityCheckInterval,
        Duration statusInterval,
        TableId heartbeatTable,
        Duration heartbeatInterval,
        Duration reconnectBackoff,
        Duration reconnectMaxBackoff,
        long streamBufferMemory,
        Path spillDirectory,
        KeyChange keyChange,
        List<String> hosts,
        boolean slotFailover,
        boolean slotRecreateAfterFailover,
        ClientCertificate clientCertificate,
        TargetServerType targetServerType) {

    /** The operations a publication can publish. */
    public static final Set<Operation> PUBLISHABLE = Set.of(Operation.INSERT, Operation.UPDATE, Operation.DELETE, Operation.TRUNCATE);

    public PostgresSourceSettings {
        publicationOperations = publicationOperations == null ? Set.of() : Set.copyOf(publicationOperations);
        tables = tables == null ? List.of() : List.copyOf(tables);
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        Problems problems = new Problems();
        if (!hosts.isEmpty()) {
            try {
                ServerAddresses servers = ServerAddresses.parse(hosts, port);
                if (host != null && !host.equals(servers.firstHost())) {
                    problems.add("pgcdc.postgres.host = \"" + host + "\" and pgcdc.postgres.hosts = " + hosts
                            + " are both set; set one: host for one server, hosts for a primary and its standbys");
                }
                host = servers.firstHost();
                port = servers.firstPort();
                hosts = servers.hosts(); // each with its port: a copy built from these settings reads the same servers
            } catch (IllegalArgumentException e) {
                problems.add("pgcdc.postgres.hosts: " + e.getMessage());
                host = "";
            }
        } else if (host == null) {
            problems.add("pgcdc.postgres.host or pgcdc.postgres.hosts is required: host for one server, hosts = [\"primary:5432\", "
                    + "\"standby:5432\"] for a primary and its standbys");
            host = "";
        }
        PostgresSections.POSTGRES.check(problems, PostgresSections.HOST, host, PostgresSections.PORT, port, PostgresSections.DATABASE, database,
                PostgresSections.USER, user, PostgresSections.RECONNECT_BACKOFF, reconnectBackoff, PostgresSections.RECONNECT_MAX_BACKOFF,
                reconnectMaxBackoff, PostgresSections.STREAM_BUFFER_MEMORY, streamBufferMemory);
        PostgresSections.PUBLICATION.check(problems, PostgresSections.PUBLICATION_NAME, publicationName, PostgresSections.OPERATIONS,
                publicationOperations);
        PostgresSections.SLOT.check(problems, PostgresSections.SLOT_NAME, slotName, PostgresSections.ACTIVITY_CHECK_INTERVAL,
                slotActivityCheckInterval, PostgresSections.STATUS_INTERVAL, statusInterval);
        PostgresSections.HEARTBEAT.check(problems, PostgresSections.HEARTBEAT_INTERVAL, heartbeatInterval);
        if (sslMode == null) {
            problems.add("pgcdc.postgres.ssl-mode must be set; allowed: disable, allow, prefer, require, verify-ca, verify-full");
        }
        if (clientCertificate != null && sslMode == SslMode.DISABLE) {
            problems.add("pgcdc.postgres.ssl-mode = disable, but pgcdc.postgres.ssl-key is set: a client certificate needs TLS; "
                    + "allowed: require, verify-ca or verify-full (allow and prefer only when the server offers TLS)");
        }
        if (keyChange == null) {
            problems.add("pgcdc.postgres.key-change must be set; allowed: delete-create, update");
        }
        for (Operation operation : publicationOperations) {
            if (!PUBLISHABLE.contains(operation)) {
                problems.add("pgcdc.publication.operations contains " + operation + "; allowed: insert, update, delete, truncate");
            }
        }
        if (tables.isEmpty() && !publicationAllTables) {
            problems.add("pgcdc.publication.tables is required (at least one table), unless pgcdc.publication.all-tables = true");
        }
        if (tables.stream().map(TableSettings::table).distinct().count() != tables.size()) {
            problems.add("pgcdc.publication.tables names a table twice");
        }
        String[] durationKeys = {"slot.activity-check-interval", "slot.status-interval", "heartbeat.interval", "postgres.reconnect-backoff",
            "postgres.reconnect-max-backoff"};
        Duration[] durations = {slotActivityCheckInterval, statusInterval, heartbeatInterval, reconnectBackoff, reconnectMaxBackoff};
        for (int i = 0; i < durations.length; i++) {
            if (durations[i] == null) {
                problems.add("pgcdc." + durationKeys[i] + " must be set; allowed: a duration such as 500ms, 30s or 2m");
            }
        }
        if (reconnectBackoff != null && reconnectMaxBackoff != null && reconnectMaxBackoff.compareTo(reconnectBackoff) < 0) {
            problems.add("pgcdc.postgres.reconnect-max-backoff = " + reconnectMaxBackoff + " is shorter than pgcdc.postgres.reconnect-backoff = "
                    + reconnectBackoff);
        }
        if (targetServerType == TargetServerType.STANDBY && slotFailover) {
            problems.add("pgcdc.slot.failover = true and pgcdc.postgres.target-server-type = standby: a failover slot is made on the primary and "
                    + "synchronised to standbys, which cannot stream from it until promoted; a slot on a standby is the standby's own: set "
                    + "slot.failover = false to decode from a standby, or target-server-type = primary");
        }
        if (heartbeatTable != null && tables.stream().anyMatch(t -> t.table().equals(heartbeatTable))) {
            problems.add("pgcdc.heartbeat.table = " + heartbeatTable + " is also a captured table in pgcdc.publication.tables; "
                    + "heartbeat events never reach handlers, so name a table of its own");
        }
        problems.throwIfAny();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change a few. */
    public Builder toBuilder() {
        return new Builder().host(host).port(port).database(database).user(user).password(password).sslMode(sslMode)
                .sslRootCert(sslRootCert).publicationName(publicationName).publicationCreateIfNotExists(publicationCreateIfNotExists)
                .publicationOperations(publicationOperations).tables(tables).publicationAllTables(publicationAllTables)
                .slotName(slotName).slotCreateIfNotExists(slotCreateIfNotExists).slotActivityCheckInterval(slotActivityCheckInterval)
                .statusInterval(statusInterval).heartbeatTable(heartbeatTable).heartbeatInterval(heartbeatInterval)
                .reconnectBackoff(reconnectBackoff).reconnectMaxBackoff(reconnectMaxBackoff).streamBufferMemory(streamBufferMemory)
                .spillDirectory(spillDirectory).keyChange(keyChange).hosts(hosts).slotFailover(slotFailover)
                .slotRecreateAfterFailover(slotRecreateAfterFailover).clientCertificate(clientCertificate)
                .targetServerType(targetServerType);
    }

    /**
     * Reads the {@code postgres}, {@code publication}, {@code slot} and {@code heartbeat} sections of
     * the {@code pgcdc} tree ({@code root} is the {@code pgcdc} section; other sections are ignored).
     * Unknown keys in those sections are errors; every problem is collected and thrown once.
     */
    public static PostgresSourceSettings from(PluginConfig root) {
        return PostgresSections.read(root);
    }

    /** The servers: {@code hosts} when set, else {@code host:port}. */
    public ServerAddresses servers() {
        return hosts.isEmpty() ? ServerAddresses.single(host, port) : ServerAddresses.parse(hosts, port);
    }

    /** A factory of connections to {@link #servers()}, to a server of {@link #effectiveTargetServerType()}. */
    public ConnectionFactory connections() {
        return new ConnectionFactory(servers(), database, user, password, sslMode.configName(), sslRootCert, clientCertificate)
                .targeting(effectiveTargetServerType());
    }

    /** {@code postgres.target-server-type}, or when unset: primary with several servers, any with one. */
    public TargetServerType effectiveTargetServerType() {
        return targetServerType != null ? targetServerType : TargetServerType.defaultFor(servers());
    }

    /** Whether {@code table} is captured: listed, or any table when the publication is for all tables and none are listed. */
    public boolean captures(TableId table) {
        if (table.equals(heartbeatTable)) {
            return false;
        }
        if (tables.isEmpty()) {
            return publicationAllTables;
        }
        for (TableSettings settings : tables) {
            if (settings.table().equals(table)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "PostgresSourceSettings[host=" + host + ", hosts=" + hosts + ", port=" + port + ", database=" + database + ", user=" + user
                + ", password=" + (password == null ? "<none>" : "******") + ", sslMode=" + sslMode.configName()
                + ", sslRootCert=" + sslRootCert + ", clientCertificate=" + clientCertificate + ", publication=" + publicationName + ", createPublication=" + publicationCreateIfNotExists
                + ", operations=" + publicationOperations + ", tables=" + tables + ", allTables=" + publicationAllTables
                + ", slot=" + slotName + ", createSlot=" + slotCreateIfNotExists + ", failover=" + slotFailover
                + ", recreateAfterFailover=" + slotRecreateAfterFailover + ", targetServerType=" + effectiveTargetServerType().configName()
                + ", statusInterval=" + statusInterval
                + ", heartbeatTable=" + heartbeatTable + ", heartbeatInterval=" + heartbeatInterval + "]";
    }

    /** Builds {@link PostgresSourceSettings}; every optional setting starts at its declared default ({@link PostgresSections}). */
    public static final class Builder {
        private String host;
        private int port = PostgresSections.PORT.defaultValue();
        private String database;
        private String user;
        private String password;
        private SslMode sslMode = PostgresSections.SSL_MODE.defaultValue();
        private String sslRootCert;
        private String publicationName;
        private boolean publicationCreateIfNotExists = PostgresSections.PUBLICATION_CREATE.defaultValue();
        private Set<Operation> publicationOperations = PostgresSections.OPERATIONS.defaultValue();
        private List<TableSettings> tables = List.of();
        private boolean publicationAllTables = PostgresSections.ALL_TABLES.defaultValue();
        private String slotName;
        private boolean slotCreateIfNotExists = PostgresSections.SLOT_CREATE.defaultValue();
        private Duration slotActivityCheckInterval = PostgresSections.ACTIVITY_CHECK_INTERVAL.defaultValue();
        private Duration statusInterval = PostgresSections.STATUS_INTERVAL.defaultValue();
        private TableId heartbeatTable;
        private Duration heartbeatInterval = PostgresSections.HEARTBEAT_INTERVAL.defaultValue();
        private Duration reconnectBackoff = PostgresSections.RECONNECT_BACKOFF.defaultValue();
        private Duration reconnectMaxBackoff = PostgresSections.RECONNECT_MAX_BACKOFF.defaultValue();
        private long streamBufferMemory = PostgresSections.STREAM_BUFFER_MEMORY.defaultValue();
        private Path spillDirectory;
        private KeyChange keyChange = PostgresSections.KEY_CHANGE.defaultValue();
        private List<String> hosts = PostgresSections.HOSTS.defaultValue();
        private boolean slotFailover = PostgresSections.SLOT_FAILOVER.defaultValue();
        private boolean slotRecreateAfterFailover = PostgresSections.SLOT_RECREATE_AFTER_FAILOVER.defaultValue();
        private ClientCertificate clientCertificate;
        private TargetServerType targetServerType;

        private Builder() {
        }

        public Builder host(String value) {
            this.host = value;
            return this;
        }

        public Builder port(int value) {
            this.port = value;
            return this;
        }

        public Builder database(String value) {
            this.database = value;
            return this;
        }

        public Builder user(String value) {
            this.user = value;
            return this;
        }

        public Builder password(String value) {
            this.password = value;
            return this;
        }

        public Builder sslMode(SslMode value) {
            this.sslMode = value;
            return this;
        }

        public Builder sslRootCert(String value) {
            this.sslRootCert = value;
            return this;
        }

        public Builder publicationName(String value) {
            this.publicationName = value;
            return this;
        }

        public Builder publicationCreateIfNotExists(boolean value) {
            this.publicationCreateIfNotExists = value;
            return this;
        }

        public Builder publicationOperations(Set<Operation> value) {
            this.publicationOperations = value;
            return this;
        }

        public Builder tables(List<TableSettings> value) {
            this.tables = value;
            return this;
        }

        /** Tables by name ({@code schema.name} or {@code name} in {@code public}), replica identity left as it is, all columns. */
        public Builder tables(String... names) {
            List<TableSettings> list = new ArrayList<>(names.length);
            for (String name : names) {
                list.add(TableSettings.of(name));
            }
            this.tables = list;
            return this;
        }

        public Builder publicationAllTables(boolean value) {
            this.publicationAllTables = value;
            return this;
        }

        public Builder slotName(String value) {
            this.slotName = value;
            return this;
        }

        public Builder slotCreateIfNotExists(boolean value) {
            this.slotCreateIfNotExists = value;
            return this;
        }

        public Builder slotActivityCheckInterval(Duration value) {
            this.slotActivityCheckInterval = value;
            return this;
        }

        public Builder statusInterval(Duration value) {
            this.statusInterval = value;
            return this;
        }

        public Builder heartbeatTable(TableId value) {
            this.heartbeatTable = value;
            return this;
        }

        public Builder heartbeatInterval(Duration value) {
            this.heartbeatInterval = value;
            return this;
        }

        public Builder reconnectBackoff(Duration value) {
            this.reconnectBackoff = value;
            return this;
        }

        public Builder reconnectMaxBackoff(Duration value) {
            this.reconnectMaxBackoff = value;
            return this;
        }

        public Builder streamBufferMemory(long value) {
            this.streamBufferMemory = value;
            return this;
        }

        public Builder spillDirectory(Path value) {
            this.spillDirectory = value;
            return this;
        }

        public Builder keyChange(KeyChange value) {
            this.keyChange = value;
            return this;
        }

        /** Several servers, each {@code host} or {@code host:port}; leave {@link #host} unset. */
        public Builder hosts(List<String> value) {
            this.hosts = value;
            return this;
        }

        public Builder slotFailover(boolean value) {
            this.slotFailover = value;
            return this;
        }

        public Builder slotRecreateAfterFailover(boolean value) {
            this.slotRecreateAfterFailover = value;
            return this;
        }

        /** The client certificate every connection presents; null for none. */
        public Builder clientCertificate(ClientCertificate value) {
            this.clientCertificate = value;
            return this;
        }

        /** {@code postgres.target-server-type}; null (the default): primary with several hosts, any with one. */
        public Builder targetServerType(TargetServerType value) {
            this.targetServerType = value;
            return this;
        }

        /** @throws ConfigurationException listing every invalid or missing setting */
        public PostgresSourceSettings build() {
            return new PostgresSourceSettings(host, port, database, user, password, sslMode, sslRootCert, publicationName,
                    publicationCreateIfNotExists, publicationOperations, tables, publicationAllTables, slotName, slotCreateIfNotExists,
                    slotActivityCheckInterval, statusInterval, heartbeatTable, heartbeatInterval, reconnectBackoff, reconnectMaxBackoff,
                    streamBufferMemory, spillDirectory, keyChange, hosts, slotFailover, slotRecreateAfterFailover, clientCertificate,
                    targetServerType);
        }
    }
}
