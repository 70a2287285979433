package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.postgres.connection.TargetServerType;
import dev.pgcdc.postgres.pgoutput.KeyChange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresSourceSettingsTest {

    private static Map<String, Object> required() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("postgres", Map.of("host", "db", "database", "shop", "user", "cdc"));
        root.put("publication", Map.of("name", "shop_pub", "tables", List.of("orders")));
        root.put("slot", Map.of("name", "shop_slot"));
        return root;
    }

    @Test
    void pinsEveryDefaultOfReferenceConf() {
        PostgresSourceSettings settings = PostgresSourceSettings.from(new PluginConfig("pgcdc", required()));

        assertThat(settings.port()).isEqualTo(5432);
        assertThat(settings.password()).isNull();
        assertThat(settings.sslMode()).isEqualTo(SslMode.PREFER);
        assertThat(settings.sslRootCert()).isNull();
        assertThat(settings.reconnectBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.reconnectMaxBackoff()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.streamBufferMemory()).isEqualTo(2L * 1024 * 1024);
        assertThat(settings.spillDirectory()).isNull();
        assertThat(settings.keyChange()).isEqualTo(KeyChange.DELETE_CREATE);
        assertThat(settings.publicationCreateIfNotExists()).isFalse();
        assertThat(settings.publicationOperations()).containsExactlyInAnyOrder(Operation.INSERT, Operation.UPDATE, Operation.DELETE,
                Operation.TRUNCATE);
        assertThat(settings.publicationAllTables()).isFalse();
        assertThat(settings.tables()).as("replica identity not configured: the table's own is left as it is")
                .containsExactly(new TableSettings(new TableId("public", "orders"), null, List.of()));
        assertThat(settings.slotCreateIfNotExists()).isFalse();
        assertThat(settings.hosts()).isEmpty();
        assertThat(settings.slotFailover()).isFalse();
        assertThat(settings.slotRecreateAfterFailover()).isFalse();
        assertThat(settings.slotActivityCheckInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.statusInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.heartbeatTable()).isNull();
        assertThat(settings.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings).isEqualTo(PostgresSourceSettings.builder().host("db").database("shop").user("cdc").publicationName("shop_pub")
                .tables("orders").slotName("shop_slot").build());
    }

    @Test
    void hostsNameAPrimaryAndItsStandbys() {
        Map<String, Object> root = required();
        root.put("postgres", Map.of("hosts", List.of("db1", "db2:5433", "[::1]:5434"), "port", 6432, "database", "shop", "user", "cdc"));
        root.put("slot", Map.of("name", "shop_slot", "failover", true, "recreate-after-failover", true));

        PostgresSourceSettings settings = PostgresSourceSettings.from(new PluginConfig("pgcdc", root));

        assertThat(settings.servers().urlPart()).isEqualTo("db1:6432,db2:5433,[::1]:5434");
        assertThat(settings.host()).as("the first, for metric labels").isEqualTo("db1");
        assertThat(settings.port()).as("the first host's").isEqualTo(6432);
        assertThat(settings.hosts()).containsExactly("db1:6432", "db2:5433", "[::1]:5434");
        assertThat(settings.connections().description()).isEqualTo("database \"shop\" at db1:6432,db2:5433,[::1]:5434 (the primary) as user \"cdc\"");
        assertThat(settings.slotFailover()).isTrue();
        assertThat(settings.slotRecreateAfterFailover()).isTrue();
        assertThat(settings.toBuilder().build()).isEqualTo(settings);
    }

    @Test
    void targetServerTypeDefaultsToPrimaryWithHostsAndAnyWithOneHostAndMayAskForAStandby() {
        PostgresSourceSettings one = PostgresSourceSettings.from(new PluginConfig("pgcdc", required()));
        assertThat(one.targetServerType()).isNull();
        assertThat(one.effectiveTargetServerType()).isEqualTo(TargetServerType.ANY);
        assertThat(one.connections().description()).isEqualTo("database \"shop\" at db:5432 as user \"cdc\"");

        Map<String, Object> root = required();
        root.put("postgres", Map.of("hosts", List.of("db1", "db2"), "database", "shop", "user", "cdc"));
        assertThat(PostgresSourceSettings.from(new PluginConfig("pgcdc", root)).effectiveTargetServerType()).isEqualTo(TargetServerType.PRIMARY);

        root.put("postgres", Map.of("hosts", List.of("db1", "db2"), "target-server-type", "standby", "database", "shop", "user", "cdc"));
        PostgresSourceSettings standby = PostgresSourceSettings.from(new PluginConfig("pgcdc", root));
        assertThat(standby.effectiveTargetServerType()).isEqualTo(TargetServerType.STANDBY);
        assertThat(standby.connections().description()).isEqualTo("database \"shop\" at db1:5432,db2:5432 (a standby) as user \"cdc\"");
        assertThat(standby.connections().targeting(TargetServerType.PRIMARY).description())
                .isEqualTo("database \"shop\" at db1:5432,db2:5432 (the primary) as user \"cdc\"");
        assertThat(standby.toBuilder().build()).isEqualTo(standby);

        root.put("slot", Map.of("name", "shop_slot", "failover", true));
        assertThatThrownBy(() -> PostgresSourceSettings.from(new PluginConfig("pgcdc", root)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).singleElement().asString()
                        .startsWith("pgcdc.slot.failover = true and pgcdc.postgres.target-server-type = standby"));
        root.put("slot", Map.of("name", "shop_slot"));
        root.put("postgres", Map.of("host", "db", "target-server-type", "secondary", "database", "shop", "user", "cdc"));
        assertThatThrownBy(() -> PostgresSourceSettings.from(new PluginConfig("pgcdc", root)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).singleElement().asString()
                        .contains("pgcdc.postgres.target-server-type").contains("primary, standby, any"));
    }

    @Test
    void hostAndHostsTogetherOrNeitherAreErrors() {
        Map<String, Object> root = required();
        root.put("postgres", Map.of("host", "db", "hosts", List.of("db1", "db2"), "database", "shop", "user", "cdc"));
        assertThatThrownBy(() -> PostgresSourceSettings.from(new PluginConfig("pgcdc", root)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        "pgcdc.postgres.host = \"db\" and pgcdc.postgres.hosts = [db1, db2] are both set; set one: host for one server, "
                                + "hosts for a primary and its standbys"));
        root.put("postgres", Map.of("database", "shop", "user", "cdc"));
        assertThatThrownBy(() -> PostgresSourceSettings.from(new PluginConfig("pgcdc", root)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).singleElement().asString()
                        .startsWith("pgcdc.postgres.host or pgcdc.postgres.hosts is required"));
        root.put("postgres", Map.of("hosts", List.of("db1", "db2:x"), "database", "shop", "user", "cdc"));
        assertThatThrownBy(() -> PostgresSourceSettings.from(new PluginConfig("pgcdc", root)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).singleElement().asString()
                        .startsWith("pgcdc.postgres.hosts: \"db2:x\" is not host or host:port"));
    }

    @Test
    void referenceConfListsEveryKeyWithTheBuildersDefault() throws Exception {
        String reference = new String(PostgresSourceSettings.class.getResourceAsStream("/reference.conf").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        for (String line : List.of("port = 5432", "ssl-mode = prefer", "reconnect-backoff = 1s", "reconnect-max-backoff = 30s",
                "stream-buffer-memory = 2MiB", "key-change = delete-create", "create-if-not-exists = false", "operations = [insert, update, delete, truncate]",
                "all-tables = false", "activity-check-interval = 1s", "status-interval = 1s", "interval = 5s")) {
            assertThat(reference).contains(line);
        }
        for (String key : List.of("host", "database", "user", "password", "ssl-root-cert", "spill-directory", "name", "tables", "table")) {
            assertThat(reference).containsPattern("(?m)^\\s*" + key + " = ");
        }
    }

    @Test
    void aTableWithoutReplicaIdentityHasNoneToApply() {
        Map<String, Object> root = required();
        root.put("publication", Map.of("name", "shop_pub", "tables", List.of(Map.of("name", "orders"), Map.of("name", "items",
                "replica-identity", "default"))));
        assertThat(PostgresSourceSettings.from(new PluginConfig("pgcdc", root)).tables()).extracting(TableSettings::replicaIdentity)
                .containsExactly(null, ReplicaIdentity.DEFAULT);
    }

    @Test
    void readsTheSnapshotStrategyOfEachTableAndRefusesAnUnknownOne() {
        Map<String, Object> root = required();
        root.put("publication", Map.of("name", "shop_pub", "tables", List.of(Map.of("name", "orders", "snapshot-strategy", "Integer_Range"),
                Map.of("name", "items", "snapshot-strategy", "ctid"), Map.of("name", "notes"), "events")));
        assertThat(PostgresSourceSettings.from(new PluginConfig("pgcdc", root)).tables()).extracting(TableSettings::snapshotStrategy)
                .containsExactly("integer-range", "ctid", "auto", "auto");

        root.put("publication", Map.of("name", "shop_pub", "tables", List.of(Map.of("name", "orders", "snapshot-strategy", "keyste"))));
        assertThatThrownBy(() -> PostgresSourceSettings.from(new PluginConfig("pgcdc", root))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("pgcdc.publication.tables[0].snapshot-strategy")
                .hasMessageContaining("auto, integer-range, keyset, ctid")
                .hasMessageContaining("did you mean keyset?");
    }

    @Test
    void readsEverySetting(@TempDir Path temp) throws Exception {
        Path ca = Files.writeString(temp.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> postgres = new LinkedHashMap<>();
        postgres.put("host", "db.example");
        postgres.put("port", "6432");
        postgres.put("database", "shop");
        postgres.put("user", "cdc");
        postgres.put("password", "s3cret");
        postgres.put("ssl-mode", "verify-full");
        postgres.put("ssl-root-cert", ca.toString());
        postgres.put("reconnect-backoff", "500ms");
        postgres.put("reconnect-max-backoff", "1m");
        postgres.put("stream-buffer-memory", "8MiB");
        postgres.put("spill-directory", "/var/tmp/pgcdc");
        postgres.put("key-change", "update");
        root.put("postgres", postgres);
        root.put("publication", Map.of("name", "p", "create-if-not-exists", true, "operations", List.of("insert", "update"),
                "tables", List.of(Map.of("schema", "sales", "name", "Order Items", "replica-identity", "USING INDEX \"oi idx\"",
                        "columns", List.of("id", "qty"), "snapshot-strategy", "auto"), "public.customers")));
        root.put("slot", Map.of("name", "s", "create-if-not-exists", "true", "activity-check-interval", "2s", "status-interval", "250ms"));
        root.put("heartbeat", Map.of("table", "pgcdc.heartbeat", "interval", "10s"));
        root.put("kafka", Map.of("bootstrap-servers", "ignored:9092"));

        PostgresSourceSettings settings = PostgresSourceSettings.from(new PluginConfig("pgcdc", root));

        assertThat(settings).isEqualTo(PostgresSourceSettings.builder().host("db.example").port(6432).database("shop").user("cdc")
                .password("s3cret").sslMode(SslMode.VERIFY_FULL).sslRootCert(ca.toString()).reconnectBackoff(Duration.ofMillis(500))
                .reconnectMaxBackoff(Duration.ofMinutes(1)).streamBufferMemory(8L << 20).spillDirectory(Path.of("/var/tmp/pgcdc"))
                .keyChange(KeyChange.UPDATE).publicationName("p").publicationCreateIfNotExists(true).publicationOperations(Set.of(Operation.INSERT, Operation.UPDATE))
                .tables(List.of(new TableSettings(new TableId("sales", "Order Items"), ReplicaIdentity.usingIndex("oi idx"), List.of("id", "qty")),
                        TableSettings.of("public.customers")))
                .slotName("s").slotCreateIfNotExists(true).slotActivityCheckInterval(Duration.ofSeconds(2))
                .statusInterval(Duration.ofMillis(250)).heartbeatTable(new TableId("pgcdc", "heartbeat"))
                .heartbeatInterval(Duration.ofSeconds(10)).build());
    }

    @Test
    void reportsEveryProblemAtOnceWithItsFullKey() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("postgres", Map.of("host", "db", "port", "not-a-port", "ssl-mode", "sometimes", "hots", "x", "key-change", "upsert"));
        root.put("publication", Map.of("operations", List.of("insert", "upsert"),
                "tables", List.of(Map.of("name", "t", "replica-identity", "PARTIAL", "colums", List.of()))));
        root.put("slot", Map.of("name", "Bad-Slot", "status-interval", "soon"));

        assertThatThrownBy(() -> PostgresSourceSettings.from(new PluginConfig("pgcdc", root)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "pgcdc.postgres.hots = \"x\" is not a known key; did you mean pgcdc.postgres.host?",
                        "pgcdc.publication.tables[0].colums = [] is not a known key; did you mean pgcdc.publication.tables[0].columns?",
                        "pgcdc.postgres.port = \"not-a-port\" is not a whole number",
                        "pgcdc.postgres.ssl-mode = \"sometimes\" is not allowed; allowed: disable, allow, prefer, require, verify-ca, verify-full",
                        "pgcdc.postgres.key-change = \"upsert\" is not allowed; allowed: delete-create, update",
                        "pgcdc.publication.operations contains \"upsert\"; allowed: insert, update, delete, truncate",
                        "pgcdc.publication.tables[0].replica-identity = \"PARTIAL\" is not a replica identity; allowed: DEFAULT, FULL, NOTHING, "
                                + "\"USING INDEX <name>\"",
                        "pgcdc.slot.status-interval = \"soon\" is not a duration; allowed: a duration such as 500ms, 30s or 2m",
                        "pgcdc.postgres.database is required",
                        "pgcdc.postgres.user is required",
                        "pgcdc.publication.name is required",
                        "pgcdc.slot.name = \"Bad-Slot\" is not a valid slot name; allowed: 1 to 63 lower-case letters, digits and underscores"));
    }

    @Test
    void requiresTablesUnlessThePublicationIsForAllTables() {
        PostgresSourceSettings.Builder builder = PostgresSourceSettings.builder().host("db").database("d").user("u").publicationName("p")
                .slotName("s");
        assertThatThrownBy(builder::build).isInstanceOf(ConfigurationException.class).hasMessageContaining("pgcdc.publication.tables is required");
        PostgresSourceSettings all = builder.publicationAllTables(true).build();
        assertThat(all.captures(new TableId("any", "table"))).isTrue();
    }

    @Test
    void masksThePassword() {
        PostgresSourceSettings settings = PostgresSourceSettings.builder().host("db").database("d").user("u").password("hunter2")
                .publicationName("p").slotName("s").tables("t").build();
        assertThat(settings.toString()).doesNotContain("hunter2").contains("password=******");
    }

    @Test
    void neverCapturesTheHeartbeatTable() {
        PostgresSourceSettings settings = PostgresSourceSettings.builder().host("db").database("d").user("u").publicationName("p")
                .slotName("s").publicationAllTables(true).heartbeatTable(new TableId("public", "hb")).build();
        assertThat(settings.captures(new TableId("public", "hb"))).isFalse();
        assertThat(settings.captures(new TableId("public", "orders"))).isTrue();
    }

    @Test
    void parsesReplicaIdentities() {
        assertThat(ReplicaIdentity.parse("full")).isEqualTo(ReplicaIdentity.FULL);
        assertThat(ReplicaIdentity.parse(" Nothing ")).isEqualTo(ReplicaIdentity.NOTHING);
        assertThat(ReplicaIdentity.parse("using index orders_code_key")).isEqualTo(ReplicaIdentity.usingIndex("orders_code_key"));
        assertThat(ReplicaIdentity.usingIndex("a\"b").sql()).isEqualTo("USING INDEX \"a\"\"b\"");
    }
}
