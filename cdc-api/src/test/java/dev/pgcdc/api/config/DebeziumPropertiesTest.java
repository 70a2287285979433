package dev.pgcdc.api.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.plugin.PluginConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Debezium's connector properties, pasted into a pgcdc configuration, answered with pgcdc's key for each. */
class DebeziumPropertiesTest {

    @Test
    void namesPgcdcsKeyForEachPropertyTheBriefOfAMigrationNeeds() {
        Map<String, String> expected = Map.ofEntries(
                Map.entry("database.hostname", "pgcdc.postgres.host"),
                Map.entry("database.port", "pgcdc.postgres.port"),
                Map.entry("database.user", "pgcdc.postgres.user"),
                Map.entry("database.password", "pgcdc.postgres.password"),
                Map.entry("database.dbname", "pgcdc.postgres.database"),
                Map.entry("table.include.list", "pgcdc.publication.tables"),
                Map.entry("topic.prefix", "pgcdc.handler.json.debezium.name"),
                Map.entry("slot.name", "pgcdc.slot.name"),
                Map.entry("publication.name", "pgcdc.publication.name"),
                Map.entry("plugin.name", "pgoutput"),
                Map.entry("snapshot.mode", "pgcdc.snapshot.mode"),
                Map.entry("decimal.handling.mode", "pgcdc.handler.json.debezium.decimal.handling.mode"),
                Map.entry("tombstones.on.delete", "pgcdc.handler.json.debezium.tombstones.on.delete"),
                Map.entry("unavailable.value.placeholder", "pgcdc.handler.json.unchanged-toast-placeholder"));

        expected.forEach((property, key) -> assertThat(DebeziumProperties.match(property)).as(property)
                .hasValueSatisfying(m -> assertThat(m.counterpart()).contains(key)));
    }

    @Test
    void matchesAPropertyAtTheEndOfALongerPathAndNothingElse() {
        assertThat(DebeziumProperties.match("config.database.hostname")).map(DebeziumProperties.Match::property).contains("database.hostname");
        assertThat(DebeziumProperties.match("pgcdc.slot.drop.on.stop")).map(DebeziumProperties.Match::property).contains("slot.drop.on.stop");
        assertThat(DebeziumProperties.match("hostname")).isEmpty();
        assertThat(DebeziumProperties.match("pgcdc.postgres.hostname")).isEmpty();
        assertThat(DebeziumProperties.match("name")).isEmpty();
    }

    @Test
    void flattensWhatHoconNestsAndMasksThePassword() {
        assertThat(DebeziumProperties.problems("pgcdc.database", Map.of("hostname", "db1", "password", "hunter2"), key -> "app.conf: 3"))
                .containsExactly(
                        "pgcdc.database.hostname = \"db1\" (app.conf: 3) is Debezium's (Kafka Connect's) property database.hostname;"
                                + " in pgcdc: pgcdc.postgres.host",
                        "pgcdc.database.password = ****** (app.conf: 3) is Debezium's (Kafka Connect's) property database.password;"
                                + " in pgcdc: pgcdc.postgres.password");
        assertThat(DebeziumProperties.problems("pgcdc.colour", "red", key -> null)).isEmpty();
    }

    @Test
    void anUnknownKeyOfASectionThatIsADebeziumPropertyNamesPgcdcsKeyInsteadOfTheKnownKeys() {
        Section section = Section.of("pgcdc.publication", Setting.string("name"), Setting.bool("create-if-not-exists").defaultsTo(false));
        Problems problems = new Problems();

        section.read(new PluginConfig("pgcdc.publication", Map.of("name", "dbz", "autocreate", Map.of("mode", "filtered"))), problems);

        assertThat(problems.list()).singleElement().asString()
                .startsWith("pgcdc.publication.autocreate.mode = \"filtered\" is Debezium's (Kafka Connect's) property publication.autocreate.mode;"
                        + " in pgcdc: pgcdc.publication.create-if-not-exists");
    }
}
