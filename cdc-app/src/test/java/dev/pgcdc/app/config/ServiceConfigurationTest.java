package dev.pgcdc.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.pipeline.ErrorPolicy;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.app.TestConfigs;
import dev.pgcdc.app.logging.LogFormat;
import dev.pgcdc.app.logging.LoggingSettings;
import dev.pgcdc.app.plugin.PluginCatalog;
import dev.pgcdc.kafka.KafkaSinkSettings;
import dev.pgcdc.metrics.http.HttpSettings;
import dev.pgcdc.snapshot.SnapshotSections;
import dev.pgcdc.snapshot.SnapshotSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceConfigurationTest {

    private static final String MINIMAL = TestConfigs.MINIMAL;

    private static final ClassLoader CLASS_LOADER = ServiceConfigurationTest.class.getClassLoader();

    @TempDir
    Path directory;

    @Test
    void loadsAMinimalFileWithEveryDefaultOfTheAppsKeys() throws IOException {
        ServiceConfiguration configuration = load(MINIMAL);

        assertThat(configuration.app()).isEqualTo(new AppSettings("json", "kafka", new HttpSettings("0.0.0.0", 8080), Duration.ofSeconds(10),
                new LoggingSettings("info", LogFormat.TEXT, Map.of("org.apache.kafka", "warn")),
                configuration.app().pipeline()));
        PipelineSettings pipeline = configuration.app().pipeline();
        assertThat(List.of(pipeline.maxInFlightEvents(), pipeline.maxInFlightBytes(), pipeline.pollBatchSize(), pipeline.pollTimeout(),
                pipeline.errorPolicy(), pipeline.shutdownTimeout()))
                .containsExactly(2_000, 8L * 1024 * 1024, 1000, Duration.ofMillis(100), ErrorPolicy.FAIL, Duration.ofSeconds(30));
        assertThat(pipeline.deadLetterTopic()).isNull();
        assertThat(configuration.postgres().slotName()).isEqualTo("shop_slot");
        assertThat(configuration.handlerSection().prefix()).isEqualTo("pgcdc.handler.json");
        assertThat(configuration.sinkSection().prefix()).isEqualTo("pgcdc.kafka");
    }

    @Test
    void readsEveryKeyTheAppOwns() throws IOException {
        ServiceConfiguration configuration = load(MINIMAL + """
                pgcdc {
                  http { host = "127.0.0.1", port = 9090, debug = true }
                  metrics.slot-interval = 3s
                  logging { level = debug, format = json, loggers { "org.postgresql" = info } }
                  pipeline {
                    max-in-flight-events = 500
                    max-in-flight-bytes = 8MiB
                    poll-batch-size = 50
                    poll-timeout = 20ms
                    error-policy = dead-letter
                    dead-letter-topic = shop.dead
                    shutdown-timeout = 5s
                  }
                }
                """);

        AppSettings app = configuration.app();
        assertThat(app.http()).isEqualTo(new HttpSettings("127.0.0.1", 9090, true));
        assertThat(app.slotInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(app.logging()).isEqualTo(new LoggingSettings("debug", LogFormat.JSON,
                Map.of("org.apache.kafka", "warn", "org.postgresql", "info")));
        assertThat(List.of(app.pipeline().maxInFlightEvents(), app.pipeline().maxInFlightBytes(), app.pipeline().pollBatchSize(),
                app.pipeline().pollTimeout(), app.pipeline().errorPolicy(), app.pipeline().deadLetterTopic(), app.pipeline().shutdownTimeout()))
                .containsExactly(500, 8L * 1024 * 1024, 50, Duration.ofMillis(20), ErrorPolicy.DEAD_LETTER, "shop.dead", Duration.ofSeconds(5));
    }

    @Test
    void reportsEveryBadValueAtOnceWithItsKeyTheValueAndWhatIsAllowed() {
        assertThat(problems(MINIMAL + """
                pgcdc.http.port = 70000
                pgcdc.http.debug = maybe
                pgcdc.logging.format = xml
                pgcdc.logging.level = verbose
                pgcdc.pipeline.error-policy = explode
                pgcdc.pipeline.max-in-flight-events = 0
                pgcdc.pipeline.max-in-flight-bytes = lots
                pgcdc.pipeline.shutdown-timeout = soon
                pgcdc.metrics.slot-interval = 0s
                """)).containsExactlyInAnyOrder(
                "pgcdc.http.port = 70000 is out of range; allowed: 0 to 65535",
                "pgcdc.http.debug = \"maybe\" is not a boolean; allowed: true, false",
                "pgcdc.logging.format = \"xml\" is not allowed; allowed: text, json",
                "pgcdc.logging.level = \"verbose\" is not allowed; allowed: trace, debug, info, warn, error, off",
                "pgcdc.pipeline.error-policy = \"explode\" is not allowed; allowed: fail, skip, dead-letter",
                "pgcdc.pipeline.max-in-flight-events = 0 is out of range; allowed: 1 to 2147483647",
                "pgcdc.pipeline.max-in-flight-bytes = \"lots\" is not a size; allowed: a size such as 1048576, 512KiB or 64MiB",
                "pgcdc.pipeline.shutdown-timeout = \"soon\" is not a duration; allowed: a duration such as 500ms, 30s or 2m",
                "pgcdc.metrics.slot-interval = 0s must be more than zero");
    }

    @Test
    void checksTheSnapshotKeysAndWhatEachModeNeeds() throws IOException {
        List<String> problems = problems(MINIMAL + """
                pgcdc.snapshot.chunk-size = 0
                pgcdc.snapshot.claim-timeout = forever
                pgcdc.snapshot.resnapshot = maybe
                pgcdc.snapshot.chunk-sise = 10
                """);
        assertThat(problems).hasSize(4);
        assertThat(problems.get(0)).matches("pgcdc\\.snapshot\\.chunk-sise = 10 \\(.*app\\.conf: 13\\) is not a known key; did you mean pgcdc\\.snapshot\\.chunk-size\\?");
        assertThat(problems.subList(1, 4)).containsExactlyInAnyOrder(
                "pgcdc.snapshot.chunk-size = 0 is out of range; allowed: 1 to 2147483647",
                "pgcdc.snapshot.claim-timeout = \"forever\" is not a duration; allowed: a duration such as 500ms, 30s or 2m",
                "pgcdc.snapshot.resnapshot = \"maybe\" is not a boolean; allowed: true, false");
        assertThat(problems(MINIMAL + "pgcdc.snapshot.mode = snapshot_only\n")).singleElement().asString()
                .startsWith("pgcdc.snapshot.tables is required with pgcdc.snapshot.mode = snapshot_only");
        assertThat(problems(MINIMAL + "pgcdc.snapshot { mode = initial, tables = [\"public.elsewhere\"] }\n")).singleElement().asString()
                .startsWith("pgcdc.snapshot.tables names public.elsewhere, which is not in pgcdc.publication.tables");
        assertThat(problems(MINIMAL + "pgcdc.snapshot { mode = initial, heartbeat-interval = 30s }\n")).singleElement().asString()
                .startsWith("pgcdc.snapshot.heartbeat-interval = 30000ms must be shorter than pgcdc.snapshot.claim-timeout");
        assertThat(load(MINIMAL + "pgcdc.snapshot.mode = initial\npgcdc.kafka.exactly-once = true\n").snapshot()).as("exactly-once snapshots")
                .returns(SnapshotSettings.Mode.INITIAL, SnapshotSections.Configured::mode)
                .as("the default chunk within half the default in-flight bound").returns(1000, SnapshotSections.Configured::chunkSize);
        assertThat(load(MINIMAL + "pgcdc.snapshot.mode = initial\n").snapshot().chunkSize()).as("at-least-once: the default chunk")
                .isEqualTo(SnapshotSettings.DEFAULT_CHUNK_SIZE);
        assertThat(problems(MINIMAL + "pgcdc.snapshot { mode = initial, chunk-size = 1200 }\npgcdc.kafka.exactly-once = true\n"))
                .singleElement().asString().startsWith("pgcdc.snapshot.chunk-size = 1200 must be at most half of pgcdc.pipeline.max-in-flight-events (2000)");
        assertThat(problems(MINIMAL + "pgcdc.snapshot.mode = initial\npgcdc.kafka.exactly-once = true\npgcdc.pipeline.error-policy = skip\n"))
                .singleElement().asString().startsWith("pgcdc.pipeline.error-policy = skip cannot be combined with pgcdc.snapshot.mode = initial");
        assertThat(load(MINIMAL + "pgcdc.snapshot { mode = initial, chunk-size = 12000 }\npgcdc.pipeline.error-policy = skip\n").snapshot()
                .chunkSize()).as("at-least-once snapshots have neither limit").isEqualTo(12000);
        assertThat(load(MINIMAL + "pgcdc.snapshot { mode = initial, tables = [{ name = \"public.customers\", query-condition = \"id > 1\" }] }\n")
                .snapshot().tables()).singleElement().satisfies(table -> {
                    assertThat(table.table()).hasToString("public.customers");
                    assertThat(table.queryCondition()).contains("id > 1");
                });
    }

    @Test
    void suggestsTheClosestChoiceForAMisspeltValue() {
        assertThat(problems(MINIMAL + "pgcdc.pipeline.error-policy = skp\n"))
                .containsExactly("pgcdc.pipeline.error-policy = \"skp\" is not allowed; allowed: fail, skip, dead-letter (did you mean skip?)");
    }

    @Test
    void flagsUnknownKeysWithADidYouMeanAndWhereTheyWereSet() {
        List<String> problems = problems(MINIMAL + """
                pgcdc.http.prot = 9090
                pgcdc.htpp.port = 9090
                pgcdc.pipeline.retries = 3
                """);

        assertThat(problems).hasSize(3);
        assertThat(problems.get(0)).matches("pgcdc\\.htpp = \\{\"port\":9090\\} \\(.*app\\.conf: 11\\) is not a known key; did you mean pgcdc\\.http\\?");
        assertThat(problems.get(1)).matches("pgcdc\\.http\\.prot = 9090 \\(.*app\\.conf: 10\\) is not a known key; did you mean pgcdc\\.http\\.port\\?");
        assertThat(problems.get(2)).matches("pgcdc\\.pipeline\\.retries = 3 \\(.*app\\.conf: 12\\) is not a known key; known keys here: "
                + "dead-letter-topic, error-policy, max-in-flight-bytes, max-in-flight-events, poll-batch-size, poll-timeout, shutdown-timeout");
    }

    @Test
    void unknownKeysOfAnAdaptersSectionAreReportedOnceByTheAdapter() {
        List<String> problems = problems(MINIMAL + "pgcdc.postgres.hots = db2\npgcdc.kafka.lingr = 5ms\n");

        assertThat(problems).hasSize(2);
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("pgcdc.postgres.hots").contains("did you mean pgcdc.postgres.host?"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("pgcdc.kafka.lingr").contains("did you mean pgcdc.kafka.linger?"));
    }

    @Test
    void flagsSectionsWrittenOutsideThePgcdcRoot() {
        assertThat(problems(MINIMAL + "http { port = 9090 }\n")).singleElement().asString()
                .matches("http \\(.*app\\.conf: 10\\) is outside the pgcdc root; write it as pgcdc\\.http or inside pgcdc \\{ \\.\\.\\. \\}");
    }

    @Test
    void reportsEveryMissingRequiredKey() {
        assertThat(problems("pgcdc {}\n")).contains(
                "pgcdc.postgres.host or pgcdc.postgres.hosts is required: host for one server, hosts = [\"primary:5432\", \"standby:5432\"] for a primary and its standbys",
                "pgcdc.postgres.database is required",
                "pgcdc.postgres.user is required",
                "pgcdc.publication.name is required",
                "pgcdc.slot.name is required",
                "pgcdc.kafka.bootstrap-servers is required, e.g. \"localhost:9092\"");
    }

    @Test
    void requiresATopicForEveryCapturedTableWithTheJsonHandler() {
        assertThat(problems(MINIMAL.replace("tables = [ { name = customers } ]", "tables = [ { name = customers }, { name = orders } ]")))
                .containsExactly("pgcdc.kafka.table-topic-mapping has no topic for table public.orders; add \"public.orders\" = \"<topic>\" or set pgcdc.kafka.topic-pattern (e.g. \"${prefix}.${schema}.${table}\")");
    }

    @Test
    void theDebeziumEnvelopesNameEveryTablesTopicFromDebeziumNameWithoutAMapping() throws IOException {
        String config = MINIMAL.replace("tables = [ { name = customers } ]", "tables = [ { name = customers }, { name = orders } ]")
                + "pgcdc.handler.json { envelope = debezium, debezium.name = dbserver1 }\n";

        ServiceConfiguration loaded = load(config);
        assertThat(loaded.sinkSection().asMap()).containsEntry("topic-prefix", "dbserver1");
        assertThat(problems(config + "pgcdc.kafka.topic-prefix = other\n")).singleElement().asString()
                .startsWith("pgcdc.kafka.topic-prefix = \"other\" differs from the handler's topic prefix \"dbserver1\"");
    }

    @Test
    void debeziumsConnectorPropertiesPastedInsideOrOutsideTheRootNamePgcdcsKeys() {
        List<String> inside = problems(MINIMAL + """
                pgcdc {
                  database.hostname = db1
                  table.include.list = "public.orders"
                  topic.prefix = dbserver1
                  plugin.name = pgoutput
                }
                """);
        assertThat(withoutOrigins(inside)).containsExactlyInAnyOrder(
                "pgcdc.database.hostname = \"db1\" is Debezium's (Kafka Connect's) property database.hostname;"
                        + " in pgcdc: pgcdc.postgres.host",
                "pgcdc.table.include.list = \"public.orders\" is Debezium's (Kafka Connect's) property table.include.list;"
                        + " in pgcdc: pgcdc.publication.tables, e.g. [ \"public.orders\", \"public.customers\" ] (pgcdc captures the tables"
                        + " listed there)",
                "pgcdc.topic.prefix = \"dbserver1\" is Debezium's (Kafka Connect's) property topic.prefix;"
                        + " in pgcdc: pgcdc.handler.json.debezium.name with pgcdc.handler.json.envelope = debezium (source.name and the topic"
                        + " prefix: topics are <prefix>.<schema>.<table>)",
                "pgcdc.plugin.name = \"pgoutput\" is Debezium's (Kafka Connect's) property plugin.name; in pgcdc: no"
                        + " counterpart: pgcdc always decodes pgoutput (decoderbufs and wal2json are not supported); leave it out");

        List<String> outside = problems(MINIMAL + """
                database.user = debezium
                database.password = "dbz-secret"
                config { "slot.name" = debezium, "connector.class" = "io.debezium.connector.postgresql.PostgresConnector" }
                """);
        assertThat(inside).allMatch(p -> p.contains("app.conf: 1"), "names where each was written");
        assertThat(outside).hasSize(4).noneMatch(p -> p.contains("dbz-secret"));
        assertThat(withoutOrigins(outside)).contains(
                "database.user = \"debezium\" is Debezium's (Kafka Connect's) property database.user; in pgcdc: pgcdc.postgres.user",
                "config.slot.name = \"debezium\" is Debezium's (Kafka Connect's) property slot.name; in pgcdc: pgcdc.slot.name");
    }

    @Test
    void aBadKeyOrValueInOneSectionNeverSkipsTheChecksOfTheOthers() {
        List<String> problems = problems(MINIMAL + """
                pgcdc.http.prot = 9090
                pgcdc.pipeline.poll-timeout = soon
                pgcdc.postgres.port = many
                pgcdc.handler.json.envelope = avro
                pgcdc.kafka.acks = most
                pgcdc.publication.tables = [ { name = customers }, { name = orders } ]
                """);

        assertThat(problems).hasSize(6);
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("pgcdc.http.prot = 9090"));
        assertThat(problems).contains(
                "pgcdc.pipeline.poll-timeout = \"soon\" is not a duration; allowed: a duration such as 500ms, 30s or 2m",
                "pgcdc.postgres.port = \"many\" is not a whole number",
                "pgcdc.handler.json.envelope = \"avro\" is not allowed; allowed: pgcdc, debezium, debezium-schemaless",
                "pgcdc.kafka.acks = \"most\" is not allowed; allowed: 0, 1, all",
                "pgcdc.kafka.table-topic-mapping has no topic for table public.orders; add \"public.orders\" = \"<topic>\" or set pgcdc.kafka.topic-pattern (e.g. \"${prefix}.${schema}.${table}\")");
    }

    @Test
    void aTypeIsStrictAndAFileSettingNamesAReadableFile() {
        assertThat(problems(MINIMAL + """
                pgcdc.postgres.host = [ db1, db2 ]
                pgcdc.postgres.ssl-root-cert = /surely/not/here.pem
                """)).containsExactlyInAnyOrder(
                "pgcdc.postgres.host = [\"db1\",\"db2\"] is not a string",
                "pgcdc.postgres.ssl-root-cert = \"/surely/not/here.pem\" is not a readable file");
    }

    @Test
    void aPublicationForAllTablesNeedsATopicMappingWithTheJsonHandler() {
        String allTables = MINIMAL.replace("tables = [ { name = customers } ]", "all-tables = true");
        assertThat(problems(allTables.replace("table-topic-mapping { \"public.customers\" = \"shop.customers\" }", "")))
                .singleElement().asString().startsWith("pgcdc.kafka.table-topic-mapping is empty, but pgcdc.publication.all-tables = true");
        assertThatThrownBy(() -> load(allTables.replace("all-tables = true", "all-tables = true, tables = [ customers, orders ]")))
                .hasMessageContaining("no topic for table public.orders");
    }

    @Test
    void aKeyInTheWrongSectionIsPointedToItsSection() {
        assertThat(problems(MINIMAL + "pgcdc.linger = 5ms\n")).singleElement().asString()
                .endsWith("is not a known key; did you mean pgcdc.kafka.linger?");
    }

    @Test
    void deadLetterPolicyNeedsADeadLetterTopic() {
        assertThat(problems(MINIMAL + "pgcdc.pipeline.error-policy = dead-letter\n"))
                .containsExactly("pgcdc.pipeline.dead-letter-topic is required when pgcdc.pipeline.error-policy = dead-letter");
    }

    @Test
    void anUnknownHandlerNameListsTheHandlersFound() {
        assertThat(problems(MINIMAL + "pgcdc.handler.name = jsno\n")).containsExactly(
                "pgcdc.handler.name = \"jsno\": no handler of that name is on the class path; found: "
                        + "json (dev.pgcdc.json.JsonChangeHandlerProvider), one-topic (dev.pgcdc.app.testplugin.OneTopicHandlerProvider)");
    }

    @Test
    void anUnknownSinkNameListsTheSinksFound() {
        assertThat(problems(MINIMAL + "pgcdc.sink.name = kafak\n")).containsExactly(
                "pgcdc.sink.name = \"kafak\": no sink of that name is on the class path; found: kafka (dev.pgcdc.kafka.KafkaSinkProvider)");
    }

    @Test
    void theSectionOfAHandlerOnTheClassPathBelongsToThatHandler() throws IOException {
        ServiceConfiguration configuration = load(MINIMAL + """
                pgcdc.handler { name = one-topic, one-topic { topic = shop.changes, keyed = true } }
                """);

        assertThat(configuration.handlerSection().prefix()).isEqualTo("pgcdc.handler.one-topic");
        assertThat(configuration.handlerSection().asMap()).isEqualTo(Map.of("topic", "shop.changes", "keyed", true));
    }

    @Test
    void aHandlerChecksItsOwnSection() {
        assertThat(problems(MINIMAL + "pgcdc.handler.name = one-topic\n")).containsExactly("pgcdc.handler.one-topic.topic is required");
    }

    @Test
    void aSectionOfAPluginNotOnTheClassPathGetsADidYouMean() {
        assertThat(problems(MINIMAL + "pgcdc.handler.one-topik.topic = x\n")).singleElement().asString()
                .contains("pgcdc.handler.one-topik = {\"topic\":\"x\"}").endsWith("is not a known key; did you mean pgcdc.handler.one-topic?");
    }

    @Test
    void substitutesEnvironmentVariables() throws IOException {
        ServiceConfiguration configuration = load(MINIMAL + """
                pgcdc.postgres.password = ${?PATH}
                pgcdc.http.host = "127.0.0.1"
                pgcdc.http.host = ${?PGCDC_TEST_SURELY_UNSET_VARIABLE}
                """);

        assertThat(configuration.postgres().password()).isEqualTo(System.getenv("PATH"));
        assertThat(configuration.app().http().host()).isEqualTo("127.0.0.1");
    }

    @Test
    void aRequiredSubstitutionThatIsUnsetSaysWhatToDo() {
        assertThat(problems(MINIMAL + "pgcdc.postgres.password = ${PGCDC_TEST_SURELY_UNSET_VARIABLE}\n")).singleElement().asString()
                .contains("PGCDC_TEST_SURELY_UNSET_VARIABLE")
                .endsWith("(set that environment variable, or write ${?NAME} to leave the key at its default when it is unset)");
    }

    @Test
    void aMissingFileIsOneClearProblem() {
        assertThatThrownBy(() -> ServiceConfiguration.load(directory.resolve("nope.conf"), new ConfigLoader(CLASS_LOADER),
                PluginCatalog.discover(CLASS_LOADER)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid configuration: configuration file " + directory.resolve("nope.conf") + " does not exist or is not a file");
    }

    @Test
    void secretsAreMaskedInProblemsAndInTheRendering() throws IOException {
        List<String> problems = problems(MINIMAL + "pgcdc.http.password = \"s3cret-pw\"\n");
        assertThat(problems).singleElement().asString().contains("pgcdc.http.password = ******").doesNotContain("s3cret-pw");

        String rendered = load(MINIMAL).renderMasked();
        assertThat(rendered).doesNotContain("s3cret-pw").contains("password=\"******\"");
    }

    @Test
    void theKafkaSinkGetsATransactionalIdPerSlot() throws IOException {
        assertThat(load(MINIMAL).sinkSection().asMap().get("transactional-id")).isEqualTo("pgcdc-shop_slot");
        assertThat(load(MINIMAL + "pgcdc.kafka.transactional-id = mine\n").sinkSection().asMap().get("transactional-id")).isEqualTo("mine");
    }

    @Test
    void theKafkaSinkReadsLingerAndTheTransactionIntervalApart() throws IOException {
        KafkaSinkSettings defaults = KafkaSinkSettings.from(load(MINIMAL).sinkSection());
        assertThat(List.of(defaults.linger(), defaults.transactionInterval())).containsExactly(Duration.ofMillis(5), Duration.ofMillis(10));

        KafkaSinkSettings set = KafkaSinkSettings.from(load(MINIMAL + "pgcdc.kafka { linger = 2ms, transaction-interval = 50ms }\n").sinkSection());
        assertThat(List.of(set.linger(), set.transactionInterval())).containsExactly(Duration.ofMillis(2), Duration.ofMillis(50));

        assertThat(withoutOrigins(problems(MINIMAL + "pgcdc.kafka.transaction-interval = -5\n")))
                .containsExactly("pgcdc.kafka.transaction-interval = -5ms must not be negative");
    }

    private ServiceConfiguration load(String text) throws IOException {
        Path file = directory.resolve("app.conf");
        Files.writeString(file, text);
        return ServiceConfiguration.load(file, new ConfigLoader(CLASS_LOADER), PluginCatalog.discover(CLASS_LOADER));
    }

    /** The problems without the file and line of each key, which depend on the temporary directory. */
    private static List<String> withoutOrigins(List<String> problems) {
        return problems.stream().map(p -> p.replaceAll(" \\([^()]*app\\.conf: \\d+\\)", "")).toList();
    }

    private List<String> problems(String text) {
        try {
            load(text);
        } catch (ConfigurationException e) {
            return e.problems();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected the configuration to be invalid:\n" + text);
    }
}
