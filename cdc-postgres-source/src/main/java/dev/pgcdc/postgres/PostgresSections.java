package dev.pgcdc.postgres;

import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.config.Setting;
import dev.pgcdc.api.config.SettingType;
import dev.pgcdc.api.config.Values;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.postgres.connection.ClientCertificate;
import dev.pgcdc.postgres.connection.TargetServerType;
import dev.pgcdc.postgres.pgoutput.KeyChange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The settings of the PostgreSQL source, declared once: the sections {@code pgcdc.postgres},
 * {@code pgcdc.publication}, {@code pgcdc.slot} and {@code pgcdc.heartbeat} with every key, type,
 * default and check. {@link PostgresSourceSettings#from} reads them, its builder starts at these
 * defaults, and the tests check {@code reference.conf} and docs/configuration.md against them.
 * Stateless and thread-safe.
 */
public final class PostgresSections {

    public static final Setting<String> HOST = Setting.string("host").doc("PostgreSQL host; this or hosts is required");
    public static final Setting<List<String>> HOSTS = Setting.stringList("hosts").defaultsTo(List.of())
            .doc("several servers (host or host:port each): pgcdc connects to the one that is primary");
    public static final Setting<TargetServerType> TARGET_SERVER_TYPE = Setting.choice("target-server-type", TargetServerType.class,
            TargetServerType::configName).doc("primary, standby or any; unset: primary with hosts, any with host");
    public static final Setting<Integer> PORT = Setting.integer("port").defaultsTo(5432).between(1, 65535).doc("PostgreSQL port");
    public static final Setting<String> DATABASE = Setting.string("database").required().doc("the database to capture");
    public static final Setting<String> USER = Setting.string("user").required().doc("a role with the REPLICATION attribute");
    public static final Setting<String> PASSWORD = Setting.password("password").doc("its password, never shown");
    public static final Setting<String> PASSWORD_FILE = Setting.secretFile("password-file")
            .doc("a file holding the password (a mounted secret), instead of password");
    public static final Setting<SslMode> SSL_MODE = Setting.choice("ssl-mode", SslMode.class, SslMode::configName)
            .defaultsTo(SslMode.PREFER).doc("TLS mode, pgjdbc's sslmode");
    public static final Setting<Path> SSL_ROOT_CERT = Setting.file("ssl-root-cert").doc("CA certificate (PEM) for verify-ca and verify-full");
    public static final Setting<Path> SSL_CERT = Setting.file("ssl-cert").doc("client certificate (PEM) for certificate authentication");
    public static final Setting<Path> SSL_KEY = Setting.file("ssl-key")
            .doc("its private key: PKCS-8 DER (.pk8) or PKCS-12 (.p12, .pfx, holding the certificate too)");
    public static final Setting<String> SSL_PASSWORD = Setting.password("ssl-password").doc("password of an encrypted ssl-key, never shown");
    public static final Setting<String> SSL_PASSWORD_FILE = Setting.secretFile("ssl-password-file")
            .doc("a file holding ssl-password, instead of it");
    public static final Setting<Duration> RECONNECT_BACKOFF = Setting.duration("reconnect-backoff").defaultsTo(Duration.ofSeconds(1))
            .positive().doc("first wait before reconnecting, doubled per failed attempt");
    public static final Setting<Duration> RECONNECT_MAX_BACKOFF = Setting.duration("reconnect-max-backoff").defaultsTo(Duration.ofSeconds(30))
            .positive().doc("the longest wait between attempts");
    public static final Setting<Long> STREAM_BUFFER_MEMORY = Setting.bytes("stream-buffer-memory").defaultsTo(2L << 20)
            .check(bytes -> bytes >= 64 * 1024, "is too small; allowed: at least 64KiB")
            .doc("heap for streamed transactions awaiting their commit; beyond it they spill to disk");
    public static final Setting<Path> SPILL_DIRECTORY = Setting.path("spill-directory").doc("where they spill; unset: java.io.tmpdir");
    public static final Setting<KeyChange> KEY_CHANGE = Setting.choice("key-change", KeyChange.class, KeyChange::configName)
            .defaultsTo(KeyChange.DELETE_CREATE).doc("what an update that changes the row's key becomes");

    public static final Setting<String> PUBLICATION_NAME = Setting.string("name").required().doc("the publication to read");
    public static final Setting<Boolean> PUBLICATION_CREATE = Setting.bool("create-if-not-exists").defaultsTo(false)
            .doc("create the publication, or add what it lacks");
    public static final Setting<Set<Operation>> OPERATIONS = Setting.of("operations", new OperationsType())
            .defaultsTo(Set.copyOf(PostgresSourceSettings.PUBLISHABLE)).check(operations -> !operations.isEmpty(),
                    "is empty; allowed: any of insert, update, delete, truncate")
            .doc("the published operations");
    public static final Setting<List<TableSettings>> TABLES = Setting.of("tables", new TablesType()).defaultsTo(List.of())
            .doc("the captured tables; required unless all-tables");
    public static final Setting<Boolean> ALL_TABLES = Setting.bool("all-tables").defaultsTo(false).doc("a FOR ALL TABLES publication");

    public static final Setting<String> SLOT_NAME = Setting.string("name").required()
            .check(name -> name.matches("[a-z0-9_]{1,63}"), "is not a valid slot name; allowed: 1 to 63 lower-case letters, digits and underscores")
            .doc("the logical replication slot");
    public static final Setting<Boolean> SLOT_CREATE = Setting.bool("create-if-not-exists").defaultsTo(false).doc("create the slot when missing");
    public static final Setting<Boolean> SLOT_FAILOVER = Setting.bool("failover").defaultsTo(false)
            .doc("create the slot as a failover slot, synchronised to standbys (PostgreSQL 17+)");
    public static final Setting<Boolean> SLOT_RECREATE_AFTER_FAILOVER = Setting.bool("recreate-after-failover").defaultsTo(false)
            .doc("create the slot although it was lost in a failover (changes are skipped)");
    public static final Setting<Duration> ACTIVITY_CHECK_INTERVAL = Setting.duration("activity-check-interval").defaultsTo(Duration.ofSeconds(1))
            .positive().doc("how often passive instances check whether the slot is free");
    public static final Setting<Duration> STATUS_INTERVAL = Setting.duration("status-interval").defaultsTo(Duration.ofSeconds(1))
            .positive().doc("standby status updates, also under load");

    public static final Setting<Optional<TableId>> HEARTBEAT_TABLE = Setting.of("table", new HeartbeatTableType())
            .doc("a one-row table updated every interval; unset or off: none");
    public static final Setting<Duration> HEARTBEAT_INTERVAL = Setting.duration("interval").defaultsTo(Duration.ofSeconds(5)).positive()
            .doc("how often the heartbeat table is updated");

    public static final Section POSTGRES = Section.of("pgcdc.postgres", HOST, HOSTS, TARGET_SERVER_TYPE, PORT, DATABASE, USER, PASSWORD, PASSWORD_FILE, SSL_MODE,
            SSL_ROOT_CERT, SSL_CERT, SSL_KEY, SSL_PASSWORD, SSL_PASSWORD_FILE, RECONNECT_BACKOFF, RECONNECT_MAX_BACKOFF, STREAM_BUFFER_MEMORY, SPILL_DIRECTORY, KEY_CHANGE);
    public static final Section PUBLICATION = Section.of("pgcdc.publication", PUBLICATION_NAME, PUBLICATION_CREATE, OPERATIONS, TABLES, ALL_TABLES);
    public static final Section SLOT = Section.of("pgcdc.slot", SLOT_NAME, SLOT_CREATE, SLOT_FAILOVER, SLOT_RECREATE_AFTER_FAILOVER, ACTIVITY_CHECK_INTERVAL, STATUS_INTERVAL);
    public static final Section HEARTBEAT = Section.of("pgcdc.heartbeat", HEARTBEAT_TABLE, HEARTBEAT_INTERVAL);
    /** Every section of the source, in the order of docs/configuration.md. */
    public static final List<Section> ALL = List.of(POSTGRES, PUBLICATION, SLOT, HEARTBEAT);

    private static final Setting<String> TABLE_SCHEMA = Setting.string("schema").defaultsTo("public");
    private static final Setting<String> TABLE_NAME = Setting.string("name").required();
    private static final Setting<ReplicaIdentity> TABLE_REPLICA_IDENTITY = Setting.of("replica-identity", new ReplicaIdentityType());
    private static final Setting<List<String>> TABLE_COLUMNS = Setting.stringList("columns").defaultsTo(List.of());
    private static final Setting<String> TABLE_SNAPSHOT_STRATEGY = Setting.oneOf("snapshot-strategy", TableSettings.SNAPSHOT_STRATEGIES
            .toArray(new String[0])).defaultsTo(TableSettings.AUTO).doc("how the snapshot cuts the table into chunks");
    /** One object of {@code publication.tables}. */
    static final Section TABLE = Section.of("pgcdc.publication.tables[]", TABLE_SCHEMA, TABLE_NAME, TABLE_REPLICA_IDENTITY, TABLE_COLUMNS,
            TABLE_SNAPSHOT_STRATEGY);

    private PostgresSections() {
    }

    /** Reads the four sections from {@code root} (the {@code pgcdc} section), every problem collected and thrown at once. */
    static PostgresSourceSettings read(PluginConfig root) {
        Problems problems = new Problems();
        Values postgres = POSTGRES.read(root.section("postgres"), problems);
        Values publication = PUBLICATION.read(root.section("publication"), problems);
        Values slot = SLOT.read(root.section("slot"), problems);
        Values heartbeat = HEARTBEAT.read(root.section("heartbeat"), problems);
        Path rootCert = postgres.get(SSL_ROOT_CERT);
        List<String> hosts = postgres.get(HOSTS);
        String givenHost = postgres.get(HOST);
        boolean both = givenHost != null && hosts != null && !hosts.isEmpty();
        String host = both ? null : givenHost; // both: reported once, here
        if (both) {
            problems.add("pgcdc.postgres.host = \"" + givenHost + "\" and pgcdc.postgres.hosts = " + hosts
                    + " are both set; set one: host for one server, hosts for a primary and its standbys");
        }
        String password = postgres.either(PASSWORD, PASSWORD_FILE);
        ClientCertificate certificate = clientCertificate(postgres, problems);
        PostgresSourceSettings settings = problems.collect(() -> new PostgresSourceSettings(host, postgres.get(PORT),
                postgres.get(DATABASE), postgres.get(USER), password, postgres.get(SSL_MODE),
                rootCert == null ? null : rootCert.toString(), publication.get(PUBLICATION_NAME), publication.get(PUBLICATION_CREATE),
                publication.get(OPERATIONS), publication.get(TABLES), publication.get(ALL_TABLES), slot.get(SLOT_NAME),
                slot.get(SLOT_CREATE), slot.get(ACTIVITY_CHECK_INTERVAL), slot.get(STATUS_INTERVAL), heartbeatTable(heartbeat.get(HEARTBEAT_TABLE)),
                heartbeat.get(HEARTBEAT_INTERVAL), postgres.get(RECONNECT_BACKOFF), postgres.get(RECONNECT_MAX_BACKOFF),
                postgres.get(STREAM_BUFFER_MEMORY), postgres.get(SPILL_DIRECTORY), postgres.get(KEY_CHANGE), hosts, slot.get(SLOT_FAILOVER),
                slot.get(SLOT_RECREATE_AFTER_FAILOVER), certificate, postgres.get(TARGET_SERVER_TYPE)));
        problems.throwIfAny();
        return settings;
    }

    /**
     * The client certificate of {@code ssl-cert}, {@code ssl-key} and {@code ssl-password}, or null
     * when none is set or one is wrong (then a problem names it): the key is needed, the certificate too
     * unless the key is PKCS-12, and a PEM key (which pgjdbc cannot read) is refused with the command
     * that converts it.
     */
    private static ClientCertificate clientCertificate(Values postgres, Problems problems) {
        String keyPassword = postgres.either(SSL_PASSWORD, SSL_PASSWORD_FILE);
        Path certificate = postgres.get(SSL_CERT);
        Path key = postgres.get(SSL_KEY);
        if (!postgres.isGiven(SSL_KEY)) {
            if (postgres.isGiven(SSL_CERT)) {
                problems.add(postgres.path(SSL_CERT) + " is set without " + postgres.path(SSL_KEY) + "; set its private key too "
                        + "(PKCS-8 DER, e.g. openssl pkcs8 -topk8 -outform DER -in client.key -out client.pk8 -nocrypt)");
            } else if (keyPassword != null) {
                problems.add(postgres.path(SSL_PASSWORD) + " is set without " + postgres.path(SSL_KEY) + "; it is the password of that key");
            }
            return null;
        }
        if (key == null || postgres.isGiven(SSL_CERT) && certificate == null) {
            return null; // an unreadable file, reported
        }
        if (certificate == null && !ClientCertificate.isPkcs12(key)) {
            problems.add(postgres.path(SSL_KEY) + " = \"" + key + "\" needs " + postgres.path(SSL_CERT) + " (the client certificate), "
                    + "unless it is a PKCS-12 file (.p12, .pfx) holding the certificate too");
            return null;
        }
        if (isPem(key)) {
            problems.add(postgres.path(SSL_KEY) + " = \"" + key + "\" is a PEM file, which pgjdbc cannot read; allowed: PKCS-8 DER (.pk8) or "
                    + "PKCS-12 (.p12, .pfx). Convert it: openssl pkcs8 -topk8 -outform DER -in client.key -out client.pk8 -nocrypt "
                    + "(or -v2 aes-256-cbc instead of -nocrypt, with the password in ssl-password)");
            return null;
        }
        String pkcs12 = ClientCertificate.isPkcs12(key) ? ClientCertificate.pkcs12Problem(key, keyPassword) : null;
        if (pkcs12 != null) {
            problems.add(postgres.path(SSL_KEY) + " = \"" + key + "\" " + pkcs12);
            return null;
        }
        return new ClientCertificate(certificate, key, keyPassword);
    }

    private static boolean isPem(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] start = in.readNBytes(64);
            return new String(start, StandardCharsets.US_ASCII).contains("-----BEGIN");
        } catch (IOException e) {
            return false; // pgjdbc reports what it cannot read
        }
    }

    /** The heartbeat table: null when unset or off. */
    private static TableId heartbeatTable(Optional<TableId> table) {
        return table == null ? null : table.orElse(null);
    }

    /** A list of insert, update, delete, truncate. */
    private static final class OperationsType implements SettingType<Set<Operation>> {
        @Override
        public Set<Operation> parse(String key, Object raw, Problems problems) {
            List<String> names = Setting.stringList(key).type().parse(key, raw, problems);
            if (names == null) {
                return null;
            }
            Set<Operation> operations = EnumSet.noneOf(Operation.class);
            boolean bad = false;
            for (String name : names) {
                try {
                    Operation operation = Operation.valueOf(name.trim().toUpperCase(Locale.ROOT));
                    if (PostgresSourceSettings.PUBLISHABLE.contains(operation)) {
                        operations.add(operation);
                        continue;
                    }
                } catch (IllegalArgumentException e) {
                    // reported below
                }
                problems.add(key + " contains \"" + name + "\"; allowed: insert, update, delete, truncate");
                bad = true;
            }
            return bad ? null : operations;
        }

        @Override
        public String render(Set<Operation> value) {
            return value.stream().sorted().map(o -> o.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ", "[", "]"));
        }
    }

    /** Table names ({@code "schema.name"}, {@code "name"}) or objects read with {@link #TABLE}. */
    private static final class TablesType implements SettingType<List<TableSettings>> {
        @Override
        public List<TableSettings> parse(String key, Object raw, Problems problems) {
            List<?> entries = raw instanceof List<?> list ? list : List.of(raw);
            List<TableSettings> tables = new ArrayList<>(entries.size());
            boolean bad = false;
            for (int i = 0; i < entries.size(); i++) {
                String entryKey = key + "[" + i + "]";
                Object entry = entries.get(i);
                TableSettings table = null;
                if (entry instanceof Map<?, ?> map) {
                    table = readTable(entryKey, map, problems);
                } else if (entry instanceof String name) {
                    try {
                        table = TableSettings.of(name);
                    } catch (IllegalArgumentException e) {
                        problems.add(entryKey + ": " + e.getMessage());
                    }
                } else {
                    problems.bad(entryKey, entry, "is not a table name or an object { schema, name, replica-identity, columns, snapshot-strategy }");
                }
                bad |= table == null;
                if (table != null) {
                    tables.add(table);
                }
            }
            return bad ? null : List.copyOf(tables);
        }

        private static TableSettings readTable(String key, Map<?, ?> map, Problems problems) {
            Map<String, Object> values = new java.util.LinkedHashMap<>();
            map.forEach((k, v) -> values.put(String.valueOf(k), v));
            Problems own = new Problems();
            Values table = TABLE.read(new PluginConfig(key, values), own);
            own.list().forEach(problems::add);
            if (!own.isEmpty()) {
                return null;
            }
            try {
                return new TableSettings(new TableId(table.get(TABLE_SCHEMA), table.get(TABLE_NAME)), table.get(TABLE_REPLICA_IDENTITY),
                        table.get(TABLE_COLUMNS), table.get(TABLE_SNAPSHOT_STRATEGY));
            } catch (IllegalArgumentException e) {
                problems.add(key + ": " + e.getMessage());
                return null;
            }
        }

        @Override
        public String render(List<TableSettings> value) {
            return value.stream().map(t -> t.table().toString()).collect(Collectors.joining(", ", "[", "]"));
        }
    }

    /** DEFAULT, FULL, NOTHING or {@code USING INDEX <name>}. */
    private static final class ReplicaIdentityType implements SettingType<ReplicaIdentity> {
        @Override
        public ReplicaIdentity parse(String key, Object raw, Problems problems) {
            String text = Setting.string(key).type().parse(key, raw, problems);
            if (text == null) {
                return null;
            }
            try {
                return ReplicaIdentity.parse(text);
            } catch (IllegalArgumentException e) {
                problems.add(key + " = " + e.getMessage());
                return null;
            }
        }
    }

    /** A table name, or off. */
    private static final class HeartbeatTableType implements SettingType<Optional<TableId>> {
        @Override
        public Optional<TableId> parse(String key, Object raw, Problems problems) {
            String text = Setting.string(key).type().parse(key, raw, problems);
            if (text == null) {
                return Optional.empty();
            }
            if (text.trim().equalsIgnoreCase("off")) {
                return Optional.empty();
            }
            try {
                return Optional.of(TableId.parse(text.trim()));
            } catch (IllegalArgumentException e) {
                problems.add(key + ": " + e.getMessage());
                return null;
            }
        }
    }


}
