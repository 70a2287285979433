package dev.pgcdc.snapshot;

import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.config.Setting;
import dev.pgcdc.api.config.SettingType;
import dev.pgcdc.api.config.Values;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.plugin.PluginConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code pgcdc.snapshot} settings, declared once (docs/configuration.md, "pgcdc.snapshot"), and
 * their reading into a {@link Configured} snapshot: everything but the tables of mode {@code initial}
 * without a list, which are the publication's and known only once connected. Stateless.
 */
public final class SnapshotSections {

    public static final Setting<String> MODE = Setting.oneOf("mode", "never", "initial", "snapshot_only").defaultsTo("never")
            .doc("never, initial or snapshot_only");
    public static final Setting<Integer> CHUNK_SIZE = Setting.integer("chunk-size").defaultsTo(SnapshotSettings.DEFAULT_CHUNK_SIZE)
            .between(1, Integer.MAX_VALUE).doc("rows per chunk");
    public static final Setting<Duration> CLAIM_TIMEOUT = Setting.duration("claim-timeout").defaultsTo(SnapshotSettings.DEFAULT_CLAIM_TIMEOUT)
            .positive().doc("a chunk claim without a heartbeat this long is taken over");
    public static final Setting<Duration> HEARTBEAT_INTERVAL = Setting.duration("heartbeat-interval")
            .defaultsTo(SnapshotSettings.DEFAULT_HEARTBEAT_INTERVAL).positive().doc("how often an instance refreshes its claims");
    public static final Setting<String> INSTANCE_ID = Setting.string("instance-id").doc("this instance's name in the claims");
    public static final Setting<List<TableRequest>> TABLES = Setting.of("tables", new TableList())
            .doc("tables to snapshot: names or { name, query-condition } objects");
    public static final Setting<String> QUERY_CONDITION = Setting.string("query-condition").doc("WHERE clause of the snapshot only");
    public static final Setting<Boolean> RESNAPSHOT = Setting.bool("resnapshot").defaultsTo(false)
            .doc("discard this slot's finished snapshot job and take it again");
    public static final Setting<String> ID = Setting.string("id").doc("job name for snapshot_only");

    public static final Section SECTION = Section.of("pgcdc.snapshot", MODE, CHUNK_SIZE, CLAIM_TIMEOUT, HEARTBEAT_INTERVAL, INSTANCE_ID,
            TABLES, QUERY_CONDITION, RESNAPSHOT, ID);

    private SnapshotSections() {
    }

    /** One entry of {@code snapshot.tables}: a table and its own condition, if any. */
    public record TableRequest(TableId table, Optional<String> queryCondition) {
    }

    /**
     * The snapshot as configured.
     *
     * @param mode       when to snapshot
     * @param tables     the listed tables (empty: the publication's, for {@code initial})
     * @param instanceId the configured instance id, if any
     * @param id         the configured job name of {@code snapshot_only}, if any
     */
    public record Configured(SnapshotSettings.Mode mode, int chunkSize, Duration claimTimeout, Duration heartbeatInterval,
                             Optional<String> instanceId, List<TableRequest> tables, Optional<String> queryCondition, boolean resnapshot,
                             Optional<String> id) {

        public Configured {
            tables = List.copyOf(tables);
        }

        /**
         * These settings with the default chunk size ({@link SnapshotSettings#DEFAULT_CHUNK_SIZE}, which
         * reference.conf gives) lowered to {@code most} when it is larger (an exactly-once snapshot keeps a
         * whole chunk in flight); any other chunk size is kept, for validation to judge.
         */
        public Configured withDefaultChunkSizeAtMost(int most) {
            if (chunkSize != SnapshotSettings.DEFAULT_CHUNK_SIZE || chunkSize <= most || most < 1) {
                return this;
            }
            return new Configured(mode, most, claimTimeout, heartbeatInterval, instanceId, tables, queryCondition, resnapshot, id);
        }

        /** The configured tables' names, in order. */
        public List<TableId> tableIds() {
            return tables.stream().map(TableRequest::table).toList();
        }

        /**
         * The settings of a snapshot of {@code tables} (the configured ones, or the publication's for
         * {@code initial} without a list), by {@code instanceId} unless one is configured; the job of
         * {@code snapshot_only} is named {@code snapshot_only_<database>} unless {@code id} is set.
         */
        public SnapshotSettings resolve(List<TableId> resolvedTables, String defaultInstanceId, String database) {
            Map<TableId, String> conditions = new LinkedHashMap<>();
            for (TableRequest request : tables) {
                request.queryCondition().ifPresent(condition -> conditions.put(request.table(), condition));
            }
            return SnapshotSettings.defaults(mode, resolvedTables)
                    .withChunkSize(chunkSize)
                    .withTiming(claimTimeout, heartbeatInterval, SnapshotSettings.DEFAULT_PROGRESS_INTERVAL)
                    .withInstanceId(instanceId.orElse(defaultInstanceId))
                    .withConditions(queryCondition, conditions)
                    .withResnapshot(resnapshot)
                    .withId(id.orElse("snapshot_only_" + database));
        }
    }

    /** Reads and checks {@code section} ({@code pgcdc.snapshot}), adding every problem to {@code problems}. */
    public static Configured read(PluginConfig section, Problems problems) {
        Values values = SECTION.read(section, problems);
        SnapshotSettings.Mode mode = SnapshotSettings.Mode.parse(values.get(MODE));
        List<TableRequest> tables = Optional.ofNullable(values.get(TABLES)).orElse(List.of());
        if (mode == SnapshotSettings.Mode.SNAPSHOT_ONLY && tables.isEmpty()) {
            problems.add(values.path(TABLES) + " is required with " + values.path(MODE) + " = snapshot_only: name the tables to read,"
                    + " e.g. [\"public.orders\"]");
        }
        Duration claimTimeout = values.get(CLAIM_TIMEOUT);
        Duration heartbeat = values.get(HEARTBEAT_INTERVAL);
        if (heartbeat.compareTo(claimTimeout) >= 0) {
            problems.add(values.path(HEARTBEAT_INTERVAL) + " = " + heartbeat.toMillis() + "ms must be shorter than " + values.path(CLAIM_TIMEOUT)
                    + " = " + claimTimeout.toMillis() + "ms, or the claims of a live instance would be taken over");
        }
        return new Configured(mode, values.get(CHUNK_SIZE), claimTimeout, heartbeat, Optional.ofNullable(values.get(INSTANCE_ID)), tables,
                Optional.ofNullable(values.get(QUERY_CONDITION)), values.get(RESNAPSHOT), Optional.ofNullable(values.get(ID)));
    }

    /** {@code "schema.table"} strings and {@code { name = "schema.table", query-condition = "..." }} objects. */
    private static final class TableList implements SettingType<List<TableRequest>> {

        private static final String ALLOWED = "allowed: [ \"schema.table\", { name = \"schema.table\", query-condition = \"...\" } ]";

        @Override
        public List<TableRequest> parse(String key, Object raw, Problems problems) {
            if (!(raw instanceof List<?> list)) {
                problems.bad(key, raw, "is not a list; " + ALLOWED);
                return null;
            }
            List<TableRequest> tables = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                Object element = list.get(i);
                String where = key + "[" + i + "]";
                if (element instanceof String name && !name.isBlank()) {
                    tables.add(new TableRequest(TableId.parse(name), Optional.empty()));
                } else if (element instanceof Map<?, ?> object && object.get("name") instanceof String name && !name.isBlank()) {
                    for (Object field : object.keySet()) {
                        if (!"name".equals(field) && !"query-condition".equals(field)) {
                            problems.add(where + "." + field + " is not a known key; allowed: name, query-condition");
                        }
                    }
                    Object condition = object.get("query-condition");
                    if (condition != null && !(condition instanceof String)) {
                        problems.bad(where + ".query-condition", condition, "is not a string; allowed: a SQL condition, e.g. \"region = 'EU'\"");
                    }
                    tables.add(new TableRequest(TableId.parse(name), Optional.ofNullable((String) (condition instanceof String ? condition : null))));
                } else {
                    problems.bad(where, element, "is not a table; " + ALLOWED);
                }
            }
            return tables;
        }

        @Override
        public String render(List<TableRequest> value) {
            return value.stream().map(request -> request.table().toString()).toList().toString();
        }
    }
}
