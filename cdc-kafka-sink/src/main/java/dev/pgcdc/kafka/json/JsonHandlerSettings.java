package dev.pgcdc.kafka.json;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.kafka.config.SettingsReader;
import dev.pgcdc.kafka.json.debezium.DebeziumEncoding;
import dev.pgcdc.kafka.json.debezium.DebeziumEncoding.BinaryHandlingMode;
import dev.pgcdc.kafka.json.debezium.DebeziumEncoding.DecimalHandlingMode;
import dev.pgcdc.kafka.json.debezium.DebeziumEncoding.HstoreHandlingMode;
import dev.pgcdc.kafka.json.debezium.DebeziumEncoding.IntervalHandlingMode;
import dev.pgcdc.kafka.json.debezium.DebeziumEncoding.TimePrecisionMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the {@link JsonChangeHandler} writes records ({@code pgcdc.handler.json}). Immutable; build
 * with {@link #builder()} (defaults as in {@code reference.conf}) or read with {@link #from}.
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

        boolean isDebezium() {
            return this != PGCDC;
        }
    }

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

    public static JsonHandlerSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the {@code pgcdc.handler.json} section; unknown keys are errors.
     *
     * @throws ConfigurationException listing every problem
     */
    public static JsonHandlerSettings from(PluginConfig config) {
        SettingsReader reader = new SettingsReader(config);
        JsonHandlerSettings defaults = defaults();
        Builder builder = builder()
                .envelope(reader.choice("envelope", defaults.envelope(), Envelope.class, Envelope::configName))
                .tombstoneAfterDelete(reader.bool("tombstone-after-delete", defaults.tombstoneAfterDelete()))
                .unchangedToastPlaceholder(reader.string("unchanged-toast-placeholder", defaults.unchangedToastPlaceholder()))
                .messageTopic(blankToNull(reader.string("message-topic", null)))
                .headers(reader.bool("headers", defaults.headers()));
        SettingsReader debezium = reader.section("debezium");
        DebeziumEncoding encoding = defaults.debeziumEncoding();
        builder.debeziumName(debezium.string("name", defaults.debeziumName()))
                .debeziumDatabase(blankToNull(debezium.string("database", null)))
                .debeziumEncoding(new DebeziumEncoding(
                        debeziumChoice(debezium, "decimal", "handling", encoding.decimalHandlingMode(), DecimalHandlingMode.class),
                        debeziumChoice(debezium, "time", "precision", encoding.timePrecisionMode(), TimePrecisionMode.class),
                        debeziumChoice(debezium, "interval", "handling", encoding.intervalHandlingMode(), IntervalHandlingMode.class),
                        debeziumChoice(debezium, "binary", "handling", encoding.binaryHandlingMode(), BinaryHandlingMode.class),
                        debeziumChoice(debezium, "hstore", "handling", encoding.hstoreHandlingMode(), HstoreHandlingMode.class)))
                .debeziumTombstonesOnDelete(debezium.section("tombstones").section("on").bool("delete", defaults.debeziumTombstonesOnDelete()));
        JsonHandlerSettings settings = null;
        try {
            settings = builder.build();
        } catch (ConfigurationException e) {
            reader.problems(e);
        }
        reader.throwIfProblems();
        return settings;
    }

    /** Debezium's dotted option {@code <first>.<second>.mode}: in HOCON a path of nested sections, as {@code decimal.handling.mode = string} reads. */
    private static <E extends Enum<E> & DebeziumEncoding.Named> E debeziumChoice(SettingsReader debezium, String first, String second,
            E defaultValue, Class<E> type) {
        return debezium.section(first).section(second).choice("mode", defaultValue, type, DebeziumEncoding.Named::configName);
    }

    /** Whether a delete is followed by a tombstone under this envelope. */
    public boolean tombstonesOnDelete() {
        return envelope.isDebezium() ? debeziumTombstonesOnDelete : tombstoneAfterDelete;
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    @Override
    public String toString() {
        return "JsonHandlerSettings[envelope=" + envelope.configName() + ", tombstoneAfterDelete=" + tombstoneAfterDelete
                + ", unchangedToastPlaceholder=" + unchangedToastPlaceholder + ", messageTopic=" + messageTopic + ", headers=" + headers
                + ", debeziumName=" + debeziumName + ", debeziumDatabase=" + debeziumDatabase + ", debeziumEncoding=" + debeziumEncoding
                + ", debeziumTombstonesOnDelete=" + debeziumTombstonesOnDelete + "]";
    }

    /** Builder with the defaults of {@code reference.conf}. */
    public static final class Builder {
        private Envelope envelope = Envelope.PGCDC;
        private boolean tombstoneAfterDelete;
        private String unchangedToastPlaceholder = "__debezium_unavailable_value";
        private String messageTopic;
        private boolean headers;
        private String debeziumName = "pgcdc";
        private String debeziumDatabase;
        private DebeziumEncoding debeziumEncoding = DebeziumEncoding.DEFAULTS;
        private boolean debeziumTombstonesOnDelete = true;

        private Builder() {
        }

        public Builder envelope(Envelope value) {
            this.envelope = value;
            return this;
        }

        /** By configuration name: {@code pgcdc}, {@code debezium} or {@code debezium-schemaless}. */
        public Builder envelope(String configName) {
            for (Envelope candidate : Envelope.values()) {
                if (candidate.configName().equals(configName.toLowerCase(Locale.ROOT))) {
                    this.envelope = candidate;
                    return this;
                }
            }
            throw new ConfigurationException("pgcdc.handler.json.envelope = \"" + configName
                    + "\" is not allowed; allowed: pgcdc, debezium, debezium-schemaless");
        }

        public Builder tombstoneAfterDelete(boolean value) {
            this.tombstoneAfterDelete = value;
            return this;
        }

        public Builder unchangedToastPlaceholder(String value) {
            this.unchangedToastPlaceholder = value;
            return this;
        }

        public Builder messageTopic(String value) {
            this.messageTopic = value;
            return this;
        }

        public Builder headers(boolean value) {
            this.headers = value;
            return this;
        }

        public Builder debeziumName(String value) {
            this.debeziumName = value;
            return this;
        }

        public Builder debeziumDatabase(String value) {
            this.debeziumDatabase = value;
            return this;
        }

        public Builder debeziumEncoding(DebeziumEncoding value) {
            this.debeziumEncoding = value;
            return this;
        }

        public Builder debeziumTombstonesOnDelete(boolean value) {
            this.debeziumTombstonesOnDelete = value;
            return this;
        }

        public JsonHandlerSettings build() {
            return new JsonHandlerSettings(envelope, tombstoneAfterDelete, unchangedToastPlaceholder, messageTopic, headers,
                    debeziumName, debeziumDatabase, debeziumEncoding, debeziumTombstonesOnDelete);
        }
    }
}
