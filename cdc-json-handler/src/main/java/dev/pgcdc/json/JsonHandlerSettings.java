package dev.pgcdc.json;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.config.Setting;
import dev.pgcdc.api.config.Values;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.json.debezium.DebeziumEncoding;
import dev.pgcdc.json.debezium.DebeziumEncoding.BinaryHandlingMode;
import dev.pgcdc.json.debezium.DebeziumEncoding.DecimalHandlingMode;
import dev.pgcdc.json.debezium.DebeziumEncoding.HstoreHandlingMode;
import dev.pgcdc.json.debezium.DebeziumEncoding.IntervalHandlingMode;
import dev.pgcdc.json.debezium.DebeziumEncoding.TimePrecisionMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the {@link JsonChangeHandler} writes records ({@code pgcdc.handler.json}). Immutable; build
 * with {@link #of} from plain values or read with {@link #from}; every key is declared once below.
 *
 * @param envelope                  field naming of the value: pgcdc's own or Debezium's
 * @param tombstoneAfterDelete      follow each delete with a record of the same key and a null value (for compacted topics)
 * @param unchangedToastPlaceholder the text written for a TOASTed column an update did not change (its value was not sent)
 * @param messageTopic              topic for {@code pg_logical_emit_message} events, or null to drop them
 * @param headers                   add headers {@code pgcdc.op}, {@code pgcdc.table} and {@code pgcdc.position} to each record
 * @param debeziumName              Debezium envelopes: {@code source.name} (Debezium's topic prefix)
 * @param debeziumDatabase          Debezium envelopes: {@code source.db}, or null
 * @param debeziumEncoding          Debezium envelopes: value encodings ({@code decimal.handling.mode} and the like)
 * @param debeziumTombstonesOnDelete Debezium envelopes: follow each delete with a tombstone ({@code tombstones.on.delete});
 *                                  the envelopes of Debezium use this instead of {@code tombstoneAfterDelete}
 */
public record JsonHandlerSettings(
        Envelope envelope,
        boolean tombstoneAfterDelete,
        String unchangedToastPlaceholder,
        String messageTopic,
        boolean headers,
        String debeziumName,
        String debeziumDatabase,
        DebeziumEncoding debeziumEncoding,
        boolean debeziumTombstonesOnDelete) {

    /** The layout of keys and values. */
    public enum Envelope {
        /** {@code {"op","before","after","source":{"schema","table","lsn","txId","commitTime","snapshot"},"tsMs"}}; key: the key columns. */
        PGCDC("pgcdc"),
        /**
         * Debezium's with Kafka Connect schemas: {@code {"schema":{<prefix>.<schema>.<table>.Envelope},"payload":{"before","after",
         * "source":{...},"op","ts_ms","ts_us","ts_ns","transaction"}}}, key {@code {"schema":{...Key},"payload":{key columns}}},
         * values in Debezium's encodings; what Kafka Connect's JsonConverter with {@code schemas.enable=true} reads.
         */
        DEBEZIUM("debezium"),
        /** Debezium's payload alone, as with {@code schemas.enable=false}: {@code {"before","after","source","op","ts_ms","ts_us","ts_ns","transaction"}}. */
        DEBEZIUM_SCHEMALESS("debezium-schemaless");

        private final String configName;

        Envelope(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        /** Whether this is one of Debezium's envelopes. */
        public boolean isDebezium() {
            return this != PGCDC;
        }
    }

    public static final Setting<Envelope> ENVELOPE = Setting.choice("envelope", Envelope.class, Envelope::configName)
            .defaultsTo(Envelope.PGCDC).doc("layout of keys and values");
    public static final Setting<Boolean> TOMBSTONE_AFTER_DELETE = Setting.bool("tombstone-after-delete").defaultsTo(false)
            .doc("pgcdc envelope: follow each delete with a tombstone");
    public static final Setting<String> UNCHANGED_TOAST_PLACEHOLDER = Setting.string("unchanged-toast-placeholder")
            .defaultsTo("__debezium_unavailable_value").doc("written for an unchanged TOASTed column");
    public static final Setting<String> MESSAGE_TOPIC = Setting.string("message-topic").doc("topic for pg_logical_emit_message events");
    public static final Setting<Boolean> HEADERS = Setting.bool("headers").defaultsTo(false).doc("add pgcdc.op, pgcdc.table, pgcdc.position headers");
    public static final Setting<String> DEBEZIUM_NAME = Setting.string("debezium.name").defaultsTo("pgcdc").doc("Debezium's topic.prefix");
    public static final Setting<String> DEBEZIUM_DATABASE = Setting.string("debezium.database").doc("Debezium's database.dbname");
    public static final Setting<DecimalHandlingMode> DECIMAL_HANDLING_MODE = debezium("decimal.handling.mode", DecimalHandlingMode.class,
            DebeziumEncoding.DEFAULTS.decimalHandlingMode());
    public static final Setting<TimePrecisionMode> TIME_PRECISION_MODE = debezium("time.precision.mode", TimePrecisionMode.class,
            DebeziumEncoding.DEFAULTS.timePrecisionMode());
    public static final Setting<IntervalHandlingMode> INTERVAL_HANDLING_MODE = debezium("interval.handling.mode", IntervalHandlingMode.class,
            DebeziumEncoding.DEFAULTS.intervalHandlingMode());
    public static final Setting<BinaryHandlingMode> BINARY_HANDLING_MODE = debezium("binary.handling.mode", BinaryHandlingMode.class,
            DebeziumEncoding.DEFAULTS.binaryHandlingMode());
    public static final Setting<HstoreHandlingMode> HSTORE_HANDLING_MODE = debezium("hstore.handling.mode", HstoreHandlingMode.class,
            DebeziumEncoding.DEFAULTS.hstoreHandlingMode());
    public static final Setting<Boolean> DEBEZIUM_TOMBSTONES_ON_DELETE = Setting.bool("debezium.tombstones.on.delete").defaultsTo(true)
            .doc("Debezium envelopes: follow each delete with a tombstone");

    /** The section {@code pgcdc.handler.json}, declared once. */
    public static final Section SECTION = Section.of("pgcdc.handler.json", ENVELOPE, TOMBSTONE_AFTER_DELETE, UNCHANGED_TOAST_PLACEHOLDER,
            MESSAGE_TOPIC, HEADERS, DEBEZIUM_NAME, DEBEZIUM_DATABASE, DECIMAL_HANDLING_MODE, TIME_PRECISION_MODE, INTERVAL_HANDLING_MODE,
            BINARY_HANDLING_MODE, HSTORE_HANDLING_MODE, DEBEZIUM_TOMBSTONES_ON_DELETE);

    public JsonHandlerSettings {
        List<String> problems = new ArrayList<>();
        if (envelope == null) {
            problems.add("pgcdc.handler.json.envelope must be set; allowed: pgcdc, debezium, debezium-schemaless");
        }
        if (unchangedToastPlaceholder == null) {
            problems.add("pgcdc.handler.json.unchanged-toast-placeholder must be set");
        }
        if (messageTopic != null && messageTopic.isBlank()) {
            problems.add("pgcdc.handler.json.message-topic must not be blank (leave it out to drop messages)");
        }
        if (debeziumName == null || debeziumName.isBlank()) {
            problems.add("pgcdc.handler.json.debezium.name must not be empty");
        }
        if (debeziumEncoding == null) {
            problems.add("pgcdc.handler.json.debezium encodings must be set");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
    }

    /** The declared defaults. */
    public static JsonHandlerSettings defaults() {
        return of(Map.of());
    }

    /**
     * Reads {@code section}, the {@code pgcdc.handler.json} keys as plain values ({@code "envelope" -> "debezium"},
     * {@code "debezium" -> {"name" -> "dbserver1"}}), as {@link #from} does: the way to make these settings in code.
     *
     * @throws ConfigurationException listing every problem
     */
    public static JsonHandlerSettings of(Map<String, ?> section) {
        return from(new PluginConfig(SECTION.path(), section));
    }

    /**
     * Reads the {@code pgcdc.handler.json} section; unknown keys are errors.
     *
     * @throws ConfigurationException listing every problem
     */
    public static JsonHandlerSettings from(PluginConfig config) {
        Problems problems = new Problems();
        Values values = SECTION.read(config, problems);
        JsonHandlerSettings settings = problems.collect(() -> new JsonHandlerSettings(values.get(ENVELOPE), values.get(TOMBSTONE_AFTER_DELETE),
                values.get(UNCHANGED_TOAST_PLACEHOLDER), values.get(MESSAGE_TOPIC), values.get(HEADERS), values.get(DEBEZIUM_NAME),
                values.get(DEBEZIUM_DATABASE), new DebeziumEncoding(values.get(DECIMAL_HANDLING_MODE), values.get(TIME_PRECISION_MODE),
                        values.get(INTERVAL_HANDLING_MODE), values.get(BINARY_HANDLING_MODE), values.get(HSTORE_HANDLING_MODE)),
                values.get(DEBEZIUM_TOMBSTONES_ON_DELETE)));
        problems.throwIfAny();
        return settings;
    }

    /** Debezium's dotted option {@code <name>}: in HOCON a path of nested sections, as {@code decimal.handling.mode = string} reads. */
    private static <E extends Enum<E> & DebeziumEncoding.Named> Setting<E> debezium(String name, Class<E> type, E defaultValue) {
        return Setting.choice("debezium." + name, type, DebeziumEncoding.Named::configName).defaultsTo(defaultValue)
                .doc("as Debezium's " + name);
    }

    /** Whether a delete is followed by a tombstone under this envelope. */
    public boolean tombstonesOnDelete() {
        return envelope.isDebezium() ? debeziumTombstonesOnDelete : tombstoneAfterDelete;
    }

    @Override
    public String toString() {
        return "JsonHandlerSettings[envelope=" + envelope.configName() + ", tombstoneAfterDelete=" + tombstoneAfterDelete
                + ", unchangedToastPlaceholder=" + unchangedToastPlaceholder + ", messageTopic=" + messageTopic + ", headers=" + headers
                + ", debeziumName=" + debeziumName + ", debeziumDatabase=" + debeziumDatabase + ", debeziumEncoding=" + debeziumEncoding
                + ", debeziumTombstonesOnDelete=" + debeziumTombstonesOnDelete + "]";
    }
}
