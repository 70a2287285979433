package dev.pgcdc.it.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.it.debezium.KafkaConnectStandalone.Plugin;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handing Debezium's slot and publication over to pgcdc, as docs/migrating-from-debezium.md describes it.
 * Debezium's own PostgreSQL connector (pgoutput, a publication created beforehand and
 * {@code publication.autocreate.mode = disabled}, {@code snapshot.mode = no_data}) runs in Kafka Connect
 * standalone and captures rows 1..20 (rows 1..17 a transaction each, rows 18..20 one transaction) into
 * {@code <prefix>.public.<table>}. Kafka Connect commits its offsets only when it stops here
 * ({@code offset.flush.interval.ms} of 10 minutes), and Debezium confirms the slot only when its offsets
 * are committed. Debezium is then stopped with SIGTERM, or killed. Rows 21..40 are written while nothing
 * reads the slot. Then the packaged pgcdc service starts on the same slot
 * ({@code slot.create-if-not-exists = false}) and publication ({@code create-if-not-exists = true}, so
 * that it could alter it), with the {@code debezium} envelope and Debezium's topic name.
 *
 * <p>Shown: pgcdc starts at the slot's confirmed position as Debezium left it. After a clean stop that is
 * where the last transaction Debezium sent begins, so PostgreSQL sends that transaction again (rows
 * 18..20, with the same {@code source.lsn} and {@code source.txId} as Debezium's records) and every
 * later one, once each; rows 1..17 are not sent again. After a kill nothing was confirmed, and pgcdc sends
 * rows 1..40: at least once, never a gap. Either way the publication and the table's replica identity
 * are as they were, and one consumer reads the records of both producers with the same code: same key
 * and value schemas, same encodings.
 */
@TestEnvironment
class DebeziumSlotHandOverIT {

    private static final Logger LOG = LoggerFactory.getLogger(DebeziumSlotHandOverIT.class);
    private static final int DEBEZIUM_ROWS = 20;
    private static final int LAST_TRANSACTION_FIRST_ROW = 18; // rows 18..20: Debezium's last transaction
    private static final int ALL_ROWS = 40;
    private static final String DEBEZIUM_VERSION = KafkaConnectStandalone.DEBEZIUM_VERSION; // source.version of Debezium's records
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final LocalDateTime EPOCH = LocalDateTime.of(1970, 1, 1, 0, 0);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the worker's and the service's output
    Path directory;

    @Test
    void afterACleanStopPgcdcSendsDebeziumsLastTransactionAgainAndEveryLaterOneOnce(PostgresDatabase postgres, KafkaCluster kafka)
            throws Exception {
        HandOver handOver = handOver(postgres, kafka, true);

        // Debezium confirms where the last transaction it sent begins (the LSN of that transaction's first change), not its end
        assertThat(handOver.confirmedByDebezium()).as("the slot's confirmed position after Debezium's stop, against the LSN of row %d,"
                + " the first change of Debezium's last transaction", LAST_TRANSACTION_FIRST_ROW)
                .isEqualTo(lsn(handOver.records().get(LAST_TRANSACTION_FIRST_ROW - 1)));
        assertThat(handOver.idsByProducer().get("pgcdc")).as("pgcdc's records: Debezium's last transaction again, then each row written"
                + " after Debezium stopped, once").containsExactlyElementsOf(ids(LAST_TRANSACTION_FIRST_ROW, ALL_ROWS));
        List<ChangeRecord> debeziums = handOver.records().subList(LAST_TRANSACTION_FIRST_ROW - 1, DEBEZIUM_ROWS);
        List<ChangeRecord> pgcdcs = handOver.records().subList(DEBEZIUM_ROWS, DEBEZIUM_ROWS + debeziums.size());
        assertThat(pgcdcs.stream().map(DebeziumSlotHandOverIT::changeIdentity).toList())
                .as("source.lsn and source.txId of the changes pgcdc sent again, against Debezium's records of them")
                .isEqualTo(debeziums.stream().map(DebeziumSlotHandOverIT::changeIdentity).toList());
    }

    @Test
    void afterAKillPgcdcSendsWhatDebeziumHadNotConfirmedAgainWithoutAGap(PostgresDatabase postgres, KafkaCluster kafka) throws Exception {
        HandOver handOver = handOver(postgres, kafka, false);

        assertThat(handOver.confirmedByDebezium().isBefore(handOver.firstChange()))
                .as("the slot's confirmed position %s after Debezium was killed, before its first change %s", handOver.confirmedByDebezium(),
                        handOver.firstChange()).isTrue();
        assertThat(handOver.idsByProducer().get("pgcdc")).as("pgcdc's records: every row Debezium had not confirmed again, then every later"
                + " one, once").containsExactlyElementsOf(ids(1, ALL_ROWS));
    }

    /**
     * What a hand-over left: the slot's confirmed position when pgcdc started, the LSN of Debezium's
     * first change, the topic's records and their ids by producer ({@code source.version}).
     */
    private record HandOver(Lsn confirmedByDebezium, Lsn firstChange, List<ChangeRecord> records,
            Map<String, List<Integer>> idsByProducer) {
    }

    /**
     * Debezium, then pgcdc on its slot and publication, as the class describes; checks what holds for
     * either way of ending Debezium ({@code stopCleanly}: SIGTERM, or a kill) and returns the rest.
     */
    private HandOver handOver(PostgresDatabase postgres, KafkaCluster kafka, boolean stopCleanly) throws Exception {
        String table = TestNames.unique("dbz_hand_over");
        String prefix = TestNames.unique("dbz");
        String publication = TestNames.unique("dbz_pub");
        String topic = kafka.createTopic(prefix + ".public." + table); // Debezium's topic name: <topic.prefix>.<schema>.<table>
        ReplicationSlot slot = new ReplicationSlot(postgres, TestNames.unique("dbz_slot"));
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, note text, amount numeric(10,2), at timestamp)",
                "CREATE PUBLICATION " + publication + " FOR TABLE " + table);
        try {
            List<ChangeRecord> debeziums = runDebezium(postgres, kafka, table, prefix, publication, slot, stopCleanly);
            await("slot " + slot.name() + " free after Debezium ended").atMost(TIMEOUT).until(() -> !slot.isActive());
            Lsn confirmedByDebezium = slot.confirmedFlushLsn();

            insertRows(postgres, table, DEBEZIUM_ROWS + 1, ALL_ROWS); // nothing reads the slot meanwhile
            Lsn walEnd = ReplicationSlot.currentWalLsn(postgres);
            Map<String, Object> publicationBefore = publicationState(postgres, publication);
            String identityBefore = replicaIdentity(postgres, table);
            assertThat(identityBefore).as("the table's replica identity, as Debezium found it").isEqualTo("d");

            ServiceConfig config = ServiceConfig.of(postgres, kafka)
                    .publication(publication, true) // allowed to alter it: it has nothing to add
                    .slot(slot.name(), false) // Debezium's slot, never a new one
                    .table(table, topic) // no replica-identity: the table keeps its own
                    .with("pgcdc.handler.json.envelope = debezium")
                    .with("pgcdc.handler.json.debezium.name = \"" + prefix + "\"")
                    .with("pgcdc.handler.json.debezium.database = \"" + postgres.database() + "\"")
                    .with("pgcdc.handler.json.headers = true"); // pgcdc.position: each record's commit LSN
            PgcdcProcess.runUntilConfirmed(config.writeTo(directory), directory, "pgcdc", slot, walEnd);
            String log = Files.readString(directory.resolve("pgcdc.out"));

            assertThat(log).as("pgcdc's log: where it started streaming")
                    .contains("replication from slot " + slot.name() + " started at " + confirmedByDebezium + " ");
            assertThat(publicationState(postgres, publication)).as("Debezium's publication after pgcdc ran on it")
                    .isEqualTo(publicationBefore);
            assertThat(log).as("pgcdc's log").doesNotContain("altering it").doesNotContain("creating publication");
            assertThat(replicaIdentity(postgres, table)).as("the table's replica identity after pgcdc ran").isEqualTo(identityBefore);

            List<ChangeRecord> records = TopicReader.of(kafka).readAll(topic);
            Map<String, List<Integer>> idsByProducer = new LinkedHashMap<>();
            records.forEach(record -> idsByProducer.computeIfAbsent(producer(record), p -> new ArrayList<>())
                    .add(Change.read(record, topic).id()));
            assertThat(idsByProducer).as("ids of %s by producer (source.version), in topic order", topic)
                    .containsOnlyKeys(DEBEZIUM_VERSION, "pgcdc");
            assertThat(idsByProducer.get(DEBEZIUM_VERSION)).as("Debezium's records").containsExactlyElementsOf(ids(1, DEBEZIUM_ROWS));
            List<ChangeRecord> pgcdcs = records.subList(DEBEZIUM_ROWS, records.size());
            assertThat(pgcdcs).as("pgcdc's records whose transaction committed before the position Debezium confirmed, %s",
                    confirmedByDebezium).noneMatch(record -> record.position().commitLsn().isBefore(confirmedByDebezium));

            // one consumer's code for both: the same decoding gives each row's values; the same schemas
            assertThat(records.stream().map(record -> Change.read(record, topic)).toList())
                    .as("every record decoded by one consumer's code, both producers alike")
                    .isEqualTo(idsByProducer.values().stream().flatMap(List::stream).map(Change::expected).toList());
            ChangeRecord debeziumRecord = records.get(0);
            ChangeRecord pgcdcRecord = records.get(records.size() - 1);
            assertThat(pgcdcRecord.key().get("schema")).as("the key schema pgcdc writes, against Debezium's")
                    .isEqualTo(debeziumRecord.key().get("schema"));
            // the envelope's fields in Debezium's order: before, after, source, transaction, op, ts_ms, ts_us, ts_ns
            assertThat(fieldNames(pgcdcRecord.value().get("schema"))).as("the envelope's fields in order, against Debezium's")
                    .isEqualTo(fieldNames(debeziumRecord.value().get("schema")));
            Map<String, JsonNode> pgcdcFields = fieldsByName(pgcdcRecord.value().get("schema"));
            Map<String, JsonNode> debeziumFields = fieldsByName(debeziumRecord.value().get("schema"));
            assertThat(withoutFields(pgcdcRecord.value().get("schema"))).as("the value schema's name and version pgcdc writes, against Debezium's")
                    .isEqualTo(withoutFields(debeziumRecord.value().get("schema")));
            assertThat(without(pgcdcFields, "source")).as("the value schema's fields (but source) pgcdc writes, against Debezium's")
                    .isEqualTo(without(debeziumFields, "source"));
            assertThat(withoutFields(pgcdcFields.get("source"))).as("the source schema's name and version pgcdc writes, against Debezium's")
                    .isEqualTo(withoutFields(debeziumFields.get("source")));
            // origin and origin_lsn included: Debezium has written them since 3.5 (PostgresSourceInfoStructMaker, after xmin)
            assertThat(fieldsByName(pgcdcFields.get("source"))).as("the source block's fields pgcdc writes, against Debezium's")
                    .containsKeys("origin", "origin_lsn").isEqualTo(fieldsByName(debeziumFields.get("source")));
            return new HandOver(confirmedByDebezium, lsn(debeziums.get(0)), records, idsByProducer);
        } finally {
            slot.drop();
            postgres.execute("DROP PUBLICATION IF EXISTS " + publication);
        }
    }

    /**
     * Runs Debezium's connector until rows 1..20 are in Kafka, then stops it with SIGTERM
     * ({@code stopCleanly}) or kills it; the records it wrote.
     */
    private List<ChangeRecord> runDebezium(PostgresDatabase postgres, KafkaCluster kafka, String table, String prefix, String publication,
            ReplicationSlot slot, boolean stopCleanly) throws IOException {
        Map<String, String> source = new LinkedHashMap<>();
        source.put("name", TestNames.unique("dbz_source"));
        source.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        source.put("tasks.max", "1");
        source.put("database.hostname", postgres.host());
        source.put("database.port", Integer.toString(postgres.port()));
        source.put("database.user", postgres.user());
        source.put("database.password", postgres.password());
        source.put("database.dbname", postgres.database());
        source.put("topic.prefix", prefix);
        source.put("plugin.name", "pgoutput");
        source.put("slot.name", slot.name());
        source.put("publication.name", publication);
        source.put("publication.autocreate.mode", "disabled");
        source.put("snapshot.mode", "no_data");
        source.put("table.include.list", "public." + table);
        String topic = prefix + ".public." + table;
        // offsets committed only when the worker stops: what Debezium confirms depends on how it ends, not on timing
        try (KafkaConnectStandalone connect = KafkaConnectStandalone.start(Plugin.POSTGRES_SOURCE, kafka, source, Duration.ofMinutes(10),
                directory)) {
            // Debezium creates the slot and streams from it: rows written from then on are captured
            awaitWhileRunning(connect, "Debezium streams from slot " + slot.name(), slot::isActive);
            Lsn created = slot.confirmedFlushLsn();
            insertRows(postgres, table, 1, LAST_TRANSACTION_FIRST_ROW - 1);
            postgres.execute(insertStatement(table, LAST_TRANSACTION_FIRST_ROW, DEBEZIUM_ROWS)); // one transaction
            awaitWhileRunning(connect, "Debezium's " + DEBEZIUM_ROWS + " records in " + topic,
                    () -> TopicReader.of(kafka).endOffsetSum(topic) >= DEBEZIUM_ROWS);
            List<ChangeRecord> records = TopicReader.of(kafka).readAll(topic);
            assertThat(slot.confirmedFlushLsn()).as("slot %s confirmed while Debezium runs, its offsets not committed yet", slot.name())
                    .isEqualTo(created);
            if (stopCleanly) {
                connect.stop(Duration.ofSeconds(90));
            } else {
                connect.close(); // kill -9
            }
            LOG.info("slot {}: confirmed {} at its creation by Debezium, {} after Debezium was {}; Debezium's changes at {}..{}",
                    slot.name(), created, slot.confirmedFlushLsn(), stopCleanly ? "stopped" : "killed", lsn(records.get(0)),
                    lsn(records.get(records.size() - 1)));
            return records;
        }
    }

    /** Until {@code condition} holds; fails at once, with the worker's output, when the worker or its task dies. */
    private static void awaitWhileRunning(KafkaConnectStandalone connect, String what, Callable<Boolean> condition) {
        try {
            await(what).atMost(TIMEOUT).pollInterval(Duration.ofMillis(250))
                    .until(() -> !connect.isAlive() || connect.hasFailedTask() || condition.call());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + what + " within " + TIMEOUT + "; worker errors:\n" + String.join("\n", connect.errors())
                    + "\nworker output:\n" + connect.tail(), e);
        }
        if (!connect.isAlive() || connect.hasFailedTask()) {
            throw new AssertionError("Kafka Connect or its task died waiting for " + what + "; worker errors:\n"
                    + String.join("\n", connect.errors()) + "\nworker output:\n" + connect.tail());
        }
    }

    /** Rows {@code first..last}, each its own transaction. */
    private static void insertRows(PostgresDatabase postgres, String table, int first, int last) {
        postgres.execute(IntStream.rangeClosed(first, last).mapToObj(id -> insertStatement(table, id, id)).toArray(String[]::new));
    }

    /** One statement inserting rows {@code first..last} in this order. */
    private static String insertStatement(String table, int first, int last) {
        return "INSERT INTO " + table + " (id, note, amount, at) SELECT id, 'row ' || id, id * 1.25,"
                + " '2024-02-29 12:00:00'::timestamp + id * interval '1.000001 s' FROM generate_series(" + first + ", " + last + ") id";
    }

    private static List<Integer> ids(int first, int last) {
        return IntStream.rangeClosed(first, last).boxed().toList();
    }

    /**
     * One insert as a consumer of Debezium's format reads it, from the Kafka Connect JSON of key and
     * value (schemas included): the same code for Debezium's records and pgcdc's.
     */
    record Change(int id, String op, String note, BigDecimal amount, LocalDateTime at) {

        /** What row {@code id} holds, as {@link #insertRows} wrote it. */
        static Change expected(int id) {
            return new Change(id, "c", "row " + id, BigDecimal.valueOf(id * 125L, 2),
                    LocalDateTime.of(2024, 2, 29, 12, 0).plus(id * 1_000_001L, ChronoUnit.MICROS));
        }

        static Change read(ChangeRecord record, String topic) {
            JsonNode key = record.key();
            JsonNode value = record.value();
            assertThat(key.path("schema").path("name").asText()).as("key schema name").isEqualTo(topic + ".Key");
            assertThat(value.path("schema").path("name").asText()).as("value schema name").isEqualTo(topic + ".Envelope");
            JsonNode payload = value.get("payload");
            JsonNode after = payload.get("after");
            JsonNode afterSchema = field(value.get("schema"), "after");
            assertThat(field(afterSchema, "amount").path("name").asText()).isEqualTo("org.apache.kafka.connect.data.Decimal");
            assertThat(field(afterSchema, "at").path("name").asText()).isEqualTo("io.debezium.time.MicroTimestamp");
            int scale = Integer.parseInt(field(afterSchema, "amount").path("parameters").path("scale").asText());
            BigDecimal amount = new BigDecimal(new BigInteger(Base64.getDecoder().decode(after.get("amount").asText())), scale);
            LocalDateTime at = EPOCH.plus(after.get("at").asLong(), ChronoUnit.MICROS);
            int id = key.path("payload").path("id").asInt();
            assertThat(after.get("id").asInt()).as("after.id against the key").isEqualTo(id);
            return new Change(id, payload.path("op").asText(), after.get("note").asText(), amount, at);
        }

        private static JsonNode field(JsonNode structSchema, String name) {
            for (JsonNode field : structSchema.path("fields")) {
                if (name.equals(field.path("field").asText())) {
                    return field;
                }
            }
            throw new AssertionError("no field " + name + " in " + structSchema);
        }
    }

    /** Who wrote a record: {@code source.version}, {@code pgcdc} for pgcdc and the release for Debezium. */
    private static String producer(ChangeRecord record) {
        return record.value().path("payload").path("source").path("version").asText();
    }

    /** {@code source.lsn}: the LSN of the change, a number in Debezium's format. */
    private static Lsn lsn(ChangeRecord record) {
        return Lsn.of(record.value().path("payload").path("source").path("lsn").asLong());
    }

    /** What identifies a change in PostgreSQL's stream, whoever wrote its record: {@code source.lsn} and {@code source.txId}. */
    private static List<Long> changeIdentity(ChangeRecord record) {
        JsonNode source = record.value().path("payload").path("source");
        return List.of(source.path("lsn").asLong(), source.path("txId").asLong());
    }

    /** A struct schema's fields by name (in name order: consumers read fields by name). */
    private static Map<String, JsonNode> fieldsByName(JsonNode structSchema) {
        Map<String, JsonNode> fields = new TreeMap<>();
        structSchema.path("fields").forEach(field -> fields.put(field.path("field").asText(), field));
        return fields;
    }

    /** A struct schema's field names in the order written. */
    private static List<String> fieldNames(JsonNode structSchema) {
        List<String> names = new ArrayList<>();
        structSchema.path("fields").forEach(field -> names.add(field.path("field").asText()));
        return names;
    }

    private static Map<String, JsonNode> without(Map<String, JsonNode> fields, String name) {
        Map<String, JsonNode> rest = new TreeMap<>(fields);
        rest.remove(name);
        return rest;
    }

    /** A struct schema's own attributes (type, name, version, optional, field), without its fields. */
    private static JsonNode withoutFields(JsonNode structSchema) {
        ObjectNode copy = structSchema.deepCopy();
        copy.remove("fields");
        return copy;
    }

    /** The publication as the catalog has it: its options and its tables. */
    private static Map<String, Object> publicationState(PostgresDatabase postgres, String publication) {
        Map<String, Object> state = new LinkedHashMap<>(postgres.query("SELECT puballtables, pubinsert, pubupdate, pubdelete, pubtruncate,"
                + " pubviaroot FROM pg_publication WHERE pubname = ?", publication).get(0));
        state.put("tables", postgres.query("SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?"
                + " ORDER BY 1, 2", publication));
        return state;
    }

    /** {@code pg_class.relreplident}: {@code d} (DEFAULT), {@code f}, {@code i} or {@code n}. */
    private static String replicaIdentity(PostgresDatabase postgres, String table) {
        return postgres.queryValue(String.class, "SELECT relreplident::text FROM pg_class WHERE oid = ?::regclass", table);
    }
}
