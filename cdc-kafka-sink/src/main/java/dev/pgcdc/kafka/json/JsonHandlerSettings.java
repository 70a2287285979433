package dev.pgcdc.kafka.json;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.kafka.config.SettingsReader;
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
 */
public record JsonHandlerSettings(
        Envelope envelope,
        boolean tombstoneAfterDelete,
        String unchangedToastPlaceholder,
        String messageTopic,
        boolean headers,
        String debeziumName,
        String debeziumDatabase) {

    /** The layout of keys and values. */
    public enum Envelope {
        /** {@code {"op","before","after","source":{"schema","table","lsn","txId","commitTime","snapshot"},"tsMs"}}; key: the key columns. */
        PGCDC("pgcdc"),
        /**
         * Debezium's with schemas enabled, the schema left null: {@code {"schema":null,"payload":{"before","after",
         * "source":{...},"op","ts_ms","transaction"}}}, key {@code {"schema":null,"payload":{key columns}}}; what
         * Kafka Connect's JsonConverter with {@code schemas.enable=true} reads.
         */
        DEBEZIUM("debezium"),
        /** Debezium's payload alone, as with {@code schemas.enable=false}: {@code {"before","after","source","op","ts_ms","transaction"}}. */
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
        builder.debeziumName(debezium.string("name", defaults.debeziumName()))
                .debeziumDatabase(blankToNull(debezium.string("database", null)));
        JsonHandlerSettings settings = null;
        try {
            settings = builder.build();
        } catch (ConfigurationException e) {
            reader.problems(e);
        }
        reader.throwIfProblems();
        return settings;
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    @Override
    public String toString() {
        return "JsonHandlerSettings[envelope=" + envelope.configName() + ", tombstoneAfterDelete=" + tombstoneAfterDelete
                + ", unchangedToastPlaceholder=" + unchangedToastPlaceholder + ", messageTopic=" + messageTopic + ", headers=" + headers
                + ", debeziumName=" + debeziumName + ", debeziumDatabase=" + debeziumDatabase + "]";
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

        public JsonHandlerSettings build() {
            return new JsonHandlerSettings(envelope, tombstoneAfterDelete, unchangedToastPlaceholder, messageTopic, headers,
                    debeziumName, debeziumDatabase);
        }
    }
}
