package dev.pgcdc.kafka;

import static dev.pgcdc.kafka.TestEvents.insert;
import static dev.pgcdc.kafka.TestEvents.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.plugin.MeterRegistrar;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.api.plugin.PluginContext;
import dev.pgcdc.json.JsonChangeHandlerProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Topic names from {@code table-topic-mapping}, {@code topic-pattern} and {@code topic-prefix}, as Debezium names them. */
class TopicNamesTest {

    private static final TableId USERS = TableId.parse("public.users");
    private static final TableId ORDERS = TableId.parse("sales.orders");

    @Test
    void aPrefixAloneGivesDebeziumsTopicNamesAndTheMappingStillWinsForItsTables() {
        KafkaSinkSettings settings = minimal().topicPrefix("dbserver1").mapTable(ORDERS, "orders-v2").build();

        assertThat(settings.topicFor(USERS)).isEqualTo("dbserver1.public.users");
        assertThat(settings.topicFor(ORDERS)).isEqualTo("orders-v2");
        settings.requireMappedTables(List.of(USERS, ORDERS, TableId.parse("other.t")));
    }

    @Test
    void aPatternReplacesEachPlaceholder() {
        KafkaSinkSettings settings = minimal().topicPrefix("shop").topicPattern("${prefix}-cdc.${table}.${schema}").build();

        assertThat(settings.topicFor(USERS)).isEqualTo("shop-cdc.users.public");
        assertThat(minimal().topicPattern("cdc_${schema}_${table}").build().topicFor(ORDERS)).isEqualTo("cdc_sales_orders");
    }

    @Test
    void withNeitherPatternNorPrefixOnlyMappedTablesHaveATopic() {
        KafkaSinkSettings settings = minimal().mapTable(USERS, "users").build();

        assertThat(settings.topicFor(ORDERS)).isNull();
        assertThatThrownBy(() -> settings.requireMappedTables(List.of(ORDERS))).hasMessageContaining("sales.orders")
                .hasMessageContaining("pgcdc.kafka.topic-pattern");
    }

    @Test
    void charactersATopicCannotHoldBecomeUnderscoresAndLongNamesAreCutAsDebeziumDoes() {
        KafkaSinkSettings settings = minimal().topicPrefix("dbserver1").build();

        assertThat(settings.topicFor(new TableId("Sales Dept", "Bestellungen für 2024"))).isEqualTo("dbserver1.Sales_Dept.Bestellungen_f_r_2024");
        String longName = "t".repeat(300);
        assertThat(settings.topicFor(new TableId("public", longName))).hasSize(249).startsWith("dbserver1.public.ttt");
    }

    @Test
    void aBadPatternOrPrefixIsAProblemNamingTheKey() {
        assertThatThrownBy(() -> minimal().topicPattern("${prefix}.${table}").build()).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("pgcdc.kafka.topic-pattern = \"${prefix}.${table}\" uses ${prefix}, but there is no topic-prefix");
        assertThatThrownBy(() -> minimal().topicPattern("cdc.${database}.${table}").build())
                .hasMessageContaining("unknown placeholder ${database}; allowed: ${prefix}, ${schema}, ${table}");
        assertThatThrownBy(() -> minimal().topicPattern("cdc.${schema}").build()).hasMessageContaining("must contain ${table}");
        assertThatThrownBy(() -> minimal().topicPattern("cdc/${table}").build()).hasMessageContaining("has '/'");
        assertThatThrownBy(() -> minimal().topicPrefix("db server").build())
                .hasMessageContaining("pgcdc.kafka.topic-prefix = \"db server\": a topic name may only contain");
    }

    @Test
    void readsPatternAndPrefixFromTheSection() {
        KafkaSinkSettings settings = KafkaSinkSettings.from(new PluginConfig("pgcdc.kafka", Map.of("bootstrap-servers", "localhost:9092",
                "topic-pattern", "${prefix}.${table}", "topic-prefix", "app")));

        assertThat(settings.topicFor(USERS)).isEqualTo("app.users");
    }

    @Test
    void theServicePutsTheHandlersPrefixIntoTheSectionSoNoTableNeedsAMapping() {
        KafkaSinkProvider provider = new KafkaSinkProvider();
        PluginContext context = context(Map.of("bootstrap-servers", "localhost:9092"), "dbserver1", List.of(USERS, ORDERS), false);

        Problems problems = new Problems();
        provider.validate(context, problems);

        assertThat(problems.list()).isEmpty();
        PluginConfig resolved = provider.resolve(context);
        assertThat(provider.topicOf(resolved).apply(ORDERS)).isEqualTo("dbserver1.sales.orders");
        assertThat(provider.create(context)).isInstanceOf(KafkaSink.class);
    }

    @Test
    void allTablesNeedsAMappingOrAPatternUnlessTheHandlerHasAPrefix() {
        KafkaSinkProvider provider = new KafkaSinkProvider();
        Map<String, Object> section = Map.of("bootstrap-servers", "localhost:9092");

        Problems none = new Problems();
        provider.validate(context(section, null, List.of(), true), none);
        assertThat(none.list()).singleElement().asString().contains("pgcdc.kafka.table-topic-mapping is empty")
                .contains("pgcdc.kafka.topic-pattern");

        Problems withPrefix = new Problems();
        provider.validate(context(section, "dbserver1", List.of(), true), withPrefix);
        assertThat(withPrefix.list()).isEmpty();

        Problems withPattern = new Problems();
        provider.validate(context(Map.of("bootstrap-servers", "localhost:9092", "topic-pattern", "cdc.${table}"), null, List.of(USERS), true),
                withPattern);
        assertThat(withPattern.list()).isEmpty();
    }

    @Test
    void aKafkaPrefixOtherThanTheHandlersIsAProblem() {
        Problems problems = new Problems();
        new KafkaSinkProvider().validate(context(Map.of("bootstrap-servers", "localhost:9092", "topic-prefix", "other"), "dbserver1",
                List.of(USERS), false), problems);

        assertThat(problems.list()).singleElement().asString()
                .contains("pgcdc.kafka.topic-prefix = \"other\" differs from the handler's topic prefix \"dbserver1\"");
    }

    @Test
    void theRouterChecksAPatternsTopicOnceBeforeItsFirstRecordAndAMappedOneNever() {
        List<String> checked = new ArrayList<>();
        RecordRouter router = new RecordRouter(TopicNames.of(minimal().topicPrefix("db").mapTable(USERS, "users").build()),
                (topic, usedFor) -> checked.add(topic + " (" + usedFor + ")"));

        assertThat(router.topicOf(insert(ORDERS, 1), record("k", "v"))).isEqualTo("db.sales.orders");
        assertThat(router.topicOf(insert(USERS, 2), record("k", "v"))).isEqualTo("users");
        assertThat(router.topicOf(insert(ORDERS, 3), record("k", "v"))).isEqualTo("db.sales.orders");

        assertThat(checked).containsExactly("db.sales.orders (named by pgcdc.kafka.topic-pattern for table sales.orders)");
    }

    @Test
    void aMissingPatternTopicFailsTheRecordWithTheCheck() {
        RecordRouter router = new RecordRouter(TopicNames.of(minimal().topicPrefix("db").build()), (topic, usedFor) -> {
            throw new SinkException("topic \"" + topic + "\" (" + usedFor + ") does not exist");
        });

        assertThatThrownBy(() -> router.topicOf(insert(ORDERS, 1), record("k", "v")))
                .hasMessage("topic \"db.sales.orders\" (named by pgcdc.kafka.topic-pattern for table sales.orders) does not exist");
    }

    @Test
    void tablesByTopicHoldsTheMappedTopicsAndThePatternsOfTheGivenTables() {
        TopicNames names = TopicNames.of(minimal().topicPrefix("db").mapTable(USERS, "users").build());

        assertThat(names.tablesByTopic(List.of(USERS, ORDERS))).containsExactly(Map.entry("users", List.of(USERS)),
                Map.entry("db.sales.orders", List.of(ORDERS)));
    }

    @Test
    void theJsonHandlersPrefixIsDebeziumNameUnderTheDebeziumEnvelopesOnly() {
        JsonChangeHandlerProvider json = new JsonChangeHandlerProvider();

        assertThat(json.topicPrefix(new PluginConfig("pgcdc.handler.json", Map.of("envelope", "debezium",
                "debezium", Map.of("name", "dbserver1"))))).contains("dbserver1");
        assertThat(json.topicPrefix(new PluginConfig("pgcdc.handler.json", Map.of("envelope", "debezium-schemaless")))).contains("pgcdc");
        assertThat(json.topicPrefix(new PluginConfig("pgcdc.handler.json", Map.of()))).isEmpty();
        assertThat(json.topicPrefix(new PluginConfig("pgcdc.handler.json", Map.of("envelope", "nope")))).isEmpty();
    }

    private static KafkaSinkSettings.Builder minimal() {
        return KafkaSinkSettings.builder().bootstrapServers("localhost:9092");
    }

    private static PluginContext context(Map<String, Object> section, String handlerPrefix, List<TableId> tables, boolean allTables) {
        return new PluginContext(new PluginConfig("pgcdc.kafka", section), tables, allTables, "slot1", "i1", true, handlerPrefix,
                MeterRegistrar.NONE);
    }
}
