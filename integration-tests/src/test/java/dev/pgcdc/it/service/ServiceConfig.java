package dev.pgcdc.it.service;

import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A service configuration file as a user writes one (the keys of docs/configuration.md, under {@code pgcdc}): the
 * connection to a test database, a publication, a slot, the captured tables and their topics, the
 * HTTP endpoints on a free port of 127.0.0.1, plus any further HOCON lines. Not thread-safe.
 */
public final class ServiceConfig {

    private final PostgresDatabase postgres;
    private final KafkaCluster kafka;
    private String publication;
    private boolean createPublication = true;
    private String slot;
    private boolean createSlot = true;
    private final Map<String, String> tables = new LinkedHashMap<>(); // "schema.name" -> replica identity or null
    private final Map<String, String> topics = new LinkedHashMap<>(); // "schema.name" -> topic
    private final List<String> extraLines = new ArrayList<>();

    private ServiceConfig(PostgresDatabase postgres, KafkaCluster kafka) {
        this.postgres = postgres;
        this.kafka = kafka;
    }

    public static ServiceConfig of(PostgresDatabase postgres, KafkaCluster kafka) {
        return new ServiceConfig(postgres, kafka);
    }

    /** {@code publication.name}, and whether the service may create it ({@code create-if-not-exists}). */
    public ServiceConfig publication(String name, boolean createIfNotExists) {
        this.publication = name;
        this.createPublication = createIfNotExists;
        return this;
    }

    /** {@code slot.name}, and whether the service may create it. */
    public ServiceConfig slot(String name, boolean createIfNotExists) {
        this.slot = name;
        this.createSlot = createIfNotExists;
        return this;
    }

    /** Captures {@code public.<table>} (replica identity left as it is) into {@code topic}. */
    public ServiceConfig table(String table, String topic) {
        return table(table, null, topic);
    }

    /** Captures {@code public.<table>} with {@code replica-identity} ({@code DEFAULT}, {@code FULL}...) into {@code topic}. */
    public ServiceConfig table(String table, String replicaIdentity, String topic) {
        tables.put("public." + table, replicaIdentity);
        if (topic != null) {
            topics.put("public." + table, topic);
        }
        return this;
    }

    /** Captures {@code public.<table>} without a topic mapping (a configuration error). */
    public ServiceConfig unmappedTable(String table) {
        return table(table, null, null);
    }

    /** One more line of HOCON, such as {@code pgcdc.kafka.exactly-once = true}; later lines win. */
    public ServiceConfig with(String hoconLine) {
        extraLines.add(hoconLine);
        return this;
    }

    public String slot() {
        return slot;
    }

    /** The configuration as HOCON text. */
    public String render() {
        StringBuilder text = new StringBuilder();
        text.append("pgcdc {\n");
        text.append("  postgres {\n")
                .append("    host = ").append(quote(postgres.host())).append('\n')
                .append("    port = ").append(postgres.port()).append('\n')
                .append("    database = ").append(quote(postgres.database())).append('\n')
                .append("    user = ").append(quote(postgres.user())).append('\n')
                .append("    password = ").append(quote(postgres.password())).append('\n')
                .append("  }\n");
        text.append("  publication {\n")
                .append("    name = ").append(quote(publication)).append('\n')
                .append("    create-if-not-exists = ").append(createPublication).append('\n')
                .append("    tables = [\n");
        tables.forEach((table, identity) -> {
            String[] parts = table.split("\\.", 2);
            text.append("      { schema = ").append(quote(parts[0])).append(", name = ").append(quote(parts[1]));
            if (identity != null) {
                text.append(", replica-identity = ").append(quote(identity));
            }
            text.append(" }\n");
        });
        text.append("    ]\n  }\n");
        text.append("  slot {\n")
                .append("    name = ").append(quote(slot)).append('\n')
                .append("    create-if-not-exists = ").append(createSlot).append('\n')
                .append("  }\n");
        text.append("  kafka {\n")
                .append("    bootstrap-servers = ").append(quote(kafka.bootstrapServers())).append('\n')
                .append("    table-topic-mapping {\n");
        topics.forEach((table, topic) -> text.append("      ").append(quote(table)).append(" = ").append(quote(topic)).append('\n'));
        text.append("    }\n  }\n");
        text.append("  http { host = \"127.0.0.1\", port = 0 }\n");
        text.append("}\n");
        extraLines.forEach(line -> text.append(line).append('\n'));
        return text.toString();
    }

    /** Writes {@code <directory>/<slot>.conf}; its path. */
    public Path writeTo(Path directory) {
        Path file = directory.resolve(slot + ".conf");
        try {
            Files.writeString(file, render());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
