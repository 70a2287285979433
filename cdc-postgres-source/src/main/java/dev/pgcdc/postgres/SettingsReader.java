package dev.pgcdc.postgres;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.plugin.KeySuggestions;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.postgres.pgoutput.KeyChange;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads {@link PostgresSourceSettings} from the {@code pgcdc} tree, collecting every problem before throwing. */
final class SettingsReader {

    private static final Set<String> POSTGRES_KEYS = Set.of("host", "port", "database", "user", "password", "ssl-mode", "ssl-root-cert",
            "reconnect-backoff", "reconnect-max-backoff", "stream-buffer-memory", "spill-directory",
            "key-change");
    private static final Set<String> PUBLICATION_KEYS = Set.of("name", "create-if-not-exists", "operations", "tables", "all-tables");
    private static final Set<String> TABLE_KEYS = Set.of("schema", "name", "replica-identity", "columns", "snapshot-strategy");
    private static final Set<String> SLOT_KEYS = Set.of("name", "create-if-not-exists", "activity-check-interval", "status-interval");
    private static final Set<String> HEARTBEAT_KEYS = Set.of("table", "interval");

    private final PluginConfig root;
    private final List<String> problems = new ArrayList<>();

    SettingsReader(PluginConfig root) {
        this.root = root;
    }

    PostgresSourceSettings read() {
        PostgresSourceSettings.Builder builder = PostgresSourceSettings.builder();
        PluginConfig postgres = section(root, "postgres", POSTGRES_KEYS);
        PluginConfig publication = section(root, "publication", PUBLICATION_KEYS);
        PluginConfig slot = section(root, "slot", SLOT_KEYS);
        PluginConfig heartbeat = section(root, "heartbeat", HEARTBEAT_KEYS);
        PostgresSourceSettings settings = null;

        read(() -> builder.host(postgres.getString("host", null)));
        read(() -> builder.port(postgres.getInt("port", 5432)));
        read(() -> builder.database(postgres.getString("database", null)));
        read(() -> builder.user(postgres.getString("user", null)));
        read(() -> builder.password(postgres.getString("password", null)));
        read(() -> builder.sslRootCert(blankToNull(postgres.getString("ssl-root-cert", null))));
        String sslMode = postgres.getString("ssl-mode", null);
        if (sslMode != null) {
            SslMode mode = SslMode.fromConfigName(sslMode);
            if (mode == null) {
                problems.add(postgres.path("ssl-mode") + " = \"" + sslMode + "\" is not an SSL mode; allowed: disable, allow, prefer, require, "
                        + "verify-ca, verify-full");
            } else {
                builder.sslMode(mode);
            }
        }
        read(() -> builder.reconnectBackoff(postgres.getDuration("reconnect-backoff", java.time.Duration.ofSeconds(1))));
        read(() -> builder.reconnectMaxBackoff(postgres.getDuration("reconnect-max-backoff", java.time.Duration.ofSeconds(30))));
        read(() -> builder.streamBufferMemory(postgres.getBytes("stream-buffer-memory", 32L * 1024 * 1024)));
        String spill = blankToNull(postgres.getString("spill-directory", null));
        if (spill != null) {
            try {
                builder.spillDirectory(Path.of(spill));
            } catch (InvalidPathException e) {
                problems.add(postgres.path("spill-directory") + " = \"" + spill + "\" is not a path: " + e.getMessage());
            }
        }
        String keyChange = postgres.getString("key-change", null);
        if (keyChange != null) {
            KeyChange mode = KeyChange.fromConfigName(keyChange);
            if (mode == null) {
                problems.add(postgres.path("key-change") + " = \"" + keyChange + "\" is not a key-change mode; allowed: delete-create, update");
            } else {
                builder.keyChange(mode);
            }
        }

        read(() -> builder.publicationName(publication.getString("name", null)));
        read(() -> builder.publicationCreateIfNotExists(publication.getBoolean("create-if-not-exists", false)));
        read(() -> builder.publicationAllTables(publication.getBoolean("all-tables", false)));
        readOperations(publication, builder);
        builder.tables(readTables(publication));

        read(() -> builder.slotName(slot.getString("name", null)));
        read(() -> builder.slotCreateIfNotExists(slot.getBoolean("create-if-not-exists", false)));
        read(() -> builder.slotActivityCheckInterval(slot.getDuration("activity-check-interval", java.time.Duration.ofSeconds(1))));
        read(() -> builder.statusInterval(slot.getDuration("status-interval", java.time.Duration.ofSeconds(1))));

        String heartbeatTable = blankToNull(heartbeat.getString("table", null));
        if (heartbeatTable != null && !heartbeatTable.equalsIgnoreCase("off")) {
            try {
                builder.heartbeatTable(TableId.parse(heartbeatTable));
            } catch (IllegalArgumentException e) {
                problems.add(heartbeat.path("table") + ": " + e.getMessage());
            }
        }
        read(() -> builder.heartbeatInterval(heartbeat.getDuration("interval", java.time.Duration.ofSeconds(5))));

        try {
            settings = builder.build();
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        return settings;
    }

    private void readOperations(PluginConfig publication, PostgresSourceSettings.Builder builder) {
        List<String> names = publication.getStringList("operations", null);
        if (names == null) {
            return;
        }
        Set<Operation> operations = EnumSet.noneOf(Operation.class);
        for (String name : names) {
            Operation operation = switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "insert" -> Operation.INSERT;
                case "update" -> Operation.UPDATE;
                case "delete" -> Operation.DELETE;
                case "truncate" -> Operation.TRUNCATE;
                default -> null;
            };
            if (operation == null) {
                problems.add(publication.path("operations") + " contains \"" + name + "\"; allowed: insert, update, delete, truncate");
            } else {
                operations.add(operation);
            }
        }
        builder.publicationOperations(operations);
    }

    private List<TableSettings> readTables(PluginConfig publication) {
        Object raw = publication.get("tables");
        if (raw == null) {
            return List.of();
        }
        List<?> entries = raw instanceof List<?> list ? list : List.of(raw);
        List<TableSettings> tables = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String key = publication.path("tables") + "[" + i + "]";
            Object entry = entries.get(i);
            try {
                if (entry instanceof Map<?, ?> map) {
                    TableSettings table = readTable(key, map);
                    if (table != null) {
                        tables.add(table);
                    }
                } else if (entry instanceof String name) {
                    tables.add(TableSettings.of(name));
                } else {
                    problems.add(key + " must be a table name or an object { schema, name, replica-identity, columns }, was " + entry);
                }
            } catch (IllegalArgumentException e) {
                problems.add(key + ": " + e.getMessage());
            }
        }
        return tables;
    }

    private TableSettings readTable(String key, Map<?, ?> map) {
        Map<String, Object> values = new LinkedHashMap<>();
        map.forEach((k, v) -> values.put(String.valueOf(k), v));
        PluginConfig table = new PluginConfig(key, values);
        checkKeys(table, TABLE_KEYS);
        String schema = table.getString("schema", "public");
        String name = table.getString("name", null);
        if (name == null || name.isBlank()) {
            problems.add(table.path("name") + " is required");
            return null;
        }
        ReplicaIdentity identity = null; // not configured: the table's identity is left as it is
        String identityText = table.getString("replica-identity", null);
        if (identityText != null) {
            try {
                identity = ReplicaIdentity.parse(identityText);
            } catch (IllegalArgumentException e) {
                problems.add(table.path("replica-identity") + " = " + e.getMessage());
            }
        }
        List<String> columns = List.of();
        try {
            columns = table.getStringList("columns", List.of());
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }
        return new TableSettings(new TableId(schema, name), identity, columns);
    }

    private PluginConfig section(PluginConfig parent, String key, Set<String> allowed) {
        PluginConfig section;
        try {
            section = parent.section(key);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return PluginConfig.empty(parent.path(key));
        }
        checkKeys(section, allowed);
        return section;
    }

    private void checkKeys(PluginConfig section, Set<String> allowed) {
        for (String key : section.keys()) {
            if (!allowed.contains(key)) {
                problems.add(section.path(key) + " is not a known setting; " + suggestion(key, allowed));
            }
        }
    }

    private static String suggestion(String key, Set<String> allowed) {
        return KeySuggestions.closest(key, allowed).map(best -> "did you mean " + best + "?")
                .orElseGet(() -> "known: " + String.join(", ", new java.util.TreeSet<>(allowed)));
    }

    private void read(Runnable reading) {
        try {
            reading.run();
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
