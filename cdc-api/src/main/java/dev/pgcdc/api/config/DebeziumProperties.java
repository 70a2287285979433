package dev.pgcdc.api.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Debezium's PostgreSQL connector properties (and the Kafka Connect ones pasted with them) and what
 * each is in pgcdc, so that a configuration pasted from Debezium is answered key by key instead of
 * with a bare "not a known key": {@link Section} uses it for an unknown key inside {@code pgcdc},
 * the service for keys written outside it. The one list; docs/migrating-from-debezium.md has the
 * same table for people. Stateless and thread-safe.
 */
public final class DebeziumProperties {

    private static final Map<String, String> COUNTERPARTS = counterparts();

    private DebeziumProperties() {
    }

    private static Map<String, String> counterparts() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("database.hostname", "pgcdc.postgres.host");
        map.put("database.port", "pgcdc.postgres.port");
        map.put("database.user", "pgcdc.postgres.user");
        map.put("database.password", "pgcdc.postgres.password");
        map.put("database.dbname", "pgcdc.postgres.database (and pgcdc.handler.json.debezium.database, written as source.db)");
        map.put("database.sslmode", "pgcdc.postgres.ssl-mode");
        map.put("database.sslrootcert", "pgcdc.postgres.ssl-root-cert");
        String prefix = "pgcdc.handler.json.debezium.name with pgcdc.handler.json.envelope = debezium (source.name and the topic prefix:"
                + " topics are <prefix>.<schema>.<table>)";
        map.put("topic.prefix", prefix);
        map.put("database.server.name", prefix);
        map.put("topic.delimiter", "pgcdc.kafka.topic-pattern, e.g. \"${prefix}_${schema}_${table}\"");
        map.put("topic.naming.strategy", "pgcdc.kafka.topic-pattern (and pgcdc.kafka.table-topic-mapping for single tables)");
        String tables = "pgcdc.publication.tables, e.g. [ \"public.orders\", \"public.customers\" ] (pgcdc captures the tables listed there)";
        map.put("table.include.list", tables);
        map.put("table.whitelist", tables);
        map.put("schema.include.list", tables);
        map.put("schema.whitelist", tables);
        String excluded = "no counterpart: pgcdc captures the tables of pgcdc.publication.tables; list only those to capture";
        map.put("table.exclude.list", excluded);
        map.put("table.blacklist", excluded);
        map.put("schema.exclude.list", excluded);
        map.put("schema.blacklist", excluded);
        map.put("column.include.list", "no counterpart: every column of a captured table is written");
        map.put("column.exclude.list", "no counterpart: every column of a captured table is written");
        map.put("slot.name", "pgcdc.slot.name");
        map.put("slot.drop.on.stop", "no counterpart: pgcdc never drops the slot");
        map.put("slot.failover", "pgcdc.slot.failover");
        map.put("publication.name", "pgcdc.publication.name");
        map.put("publication.autocreate.mode", "pgcdc.publication.create-if-not-exists (disabled: false, filtered: true;"
                + " all_tables: pgcdc.publication.all-tables = true)");
        map.put("plugin.name", "no counterpart: pgcdc always decodes pgoutput (decoderbufs and wal2json are not supported); leave it out");
        map.put("snapshot.mode", "pgcdc.snapshot.mode (initial: initial; no_data or never: never; initial_only: snapshot_only)");
        map.put("snapshot.fetch.size", "pgcdc.snapshot.chunk-size (rows per chunk)");
        for (String mode : List.of("decimal.handling.mode", "time.precision.mode", "interval.handling.mode", "binary.handling.mode",
                "hstore.handling.mode", "tombstones.on.delete")) {
            map.put(mode, "pgcdc.handler.json.debezium." + mode);
        }
        map.put("unavailable.value.placeholder", "pgcdc.handler.json.unchanged-toast-placeholder");
        map.put("heartbeat.interval.ms", "pgcdc.heartbeat.interval (a duration, e.g. 5s)");
        map.put("heartbeat.action.query", "pgcdc.heartbeat.table (a one-row table pgcdc updates itself)");
        map.put("status.update.interval.ms", "pgcdc.slot.status-interval (a duration, e.g. 1s)");
        map.put("max.batch.size", "pgcdc.pipeline.poll-batch-size");
        map.put("max.queue.size", "pgcdc.pipeline.max-in-flight-events");
        map.put("max.queue.size.in.bytes", "pgcdc.pipeline.max-in-flight-bytes");
        map.put("poll.interval.ms", "pgcdc.pipeline.poll-timeout (a duration, e.g. 100ms)");
        map.put("replica.identity.autoset.values", "the replica-identity of each table in pgcdc.publication.tables");
        map.put("provide.transaction.metadata", "no counterpart: the transaction block is always null");
        String envelope = "pgcdc.handler.json.envelope (debezium: JsonConverter with schemas.enable = true; debezium-schemaless: false)";
        map.put("key.converter", envelope);
        map.put("value.converter", envelope);
        map.put("key.converter.schemas.enable", envelope);
        map.put("value.converter.schemas.enable", envelope);
        map.put("connector.class", "no counterpart: pgcdc is the connector; leave it out");
        map.put("tasks.max", "no counterpart: one pgcdc instance reads the slot (more instances wait as standbys); leave it out");
        map.put("bootstrap.servers", "pgcdc.kafka.bootstrap-servers");
        return Map.copyOf(map);
    }

    /**
     * What pgcdc has for the Debezium property that {@code dottedPath} ends with (a whole number of its
     * parts: {@code database.hostname}, {@code config.database.hostname} as Kafka Connect's REST API
     * nests it), or empty when it names none.
     */
    public static Optional<Match> match(String dottedPath) {
        String path = dottedPath;
        while (true) {
            String counterpart = COUNTERPARTS.get(path);
            if (counterpart != null) {
                return Optional.of(new Match(path, counterpart));
            }
            int dot = path.indexOf('.');
            if (dot < 0) {
                return Optional.empty();
            }
            path = path.substring(dot + 1);
        }
    }

    /**
     * One problem per Debezium property written at {@code key} of {@code config} (its value flattened,
     * as HOCON nests {@code database.hostname = db1} into {@code database { hostname = db1 }}), each naming
     * the full key, its value (secrets masked) and origin, and pgcdc's key; empty when {@code key} holds none.
     */
    public static List<String> problems(String fullKey, Object value, java.util.function.UnaryOperator<String> origins) {
        Map<String, Object> leaves = new TreeMap<>();
        flatten(fullKey, value, leaves);
        List<String> problems = new ArrayList<>();
        leaves.forEach((path, leaf) -> match(path).ifPresent(m -> {
            StringBuilder problem = new StringBuilder(path).append(" = ").append(Section.shortened(Secrets.render(path, leaf)));
            String origin = origins.apply(path);
            if (origin != null) {
                problem.append(" (").append(origin).append(')');
            }
            problems.add(problem.append(" is Debezium's (Kafka Connect's) property ").append(m.property()).append("; in pgcdc: ")
                    .append(m.counterpart()).toString());
        }));
        return problems;
    }

    private static void flatten(String path, Object value, Map<String, Object> leaves) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, nested) -> flatten(path + "." + key, nested, leaves));
        } else {
            leaves.put(path, value);
        }
    }

    /**
     * @param property    Debezium's property name
     * @param counterpart pgcdc's key for it, with how its values map, or why there is none
     */
    public record Match(String property, String counterpart) {
    }
}
