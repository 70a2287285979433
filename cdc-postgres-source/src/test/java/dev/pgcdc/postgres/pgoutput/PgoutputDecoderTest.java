package dev.pgcdc.postgres.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.ColumnFacts;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.event.TruncateOptions;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.value.UnchangedToast;
import dev.pgcdc.postgres.types.CatalogType;
import dev.pgcdc.postgres.types.TypeCatalog;
import dev.pgcdc.postgres.types.TypeRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgoutputDecoderTest {

    private static final int INT4 = 23;
    private static final int TEXT = 25;
    private static final TableId ITEMS = new TableId("public", "items");

    @TempDir
    Path spillDirectory;

    private final CollectingConsumer consumer = new CollectingConsumer();
    private StreamedTransactions streams;

    private PgoutputDecoder decoder(Predicate<TableId> captured, long memoryLimit) {
        streams = new StreamedTransactions(memoryLimit, spillDirectory, "pgcdc-test-");
        return new PgoutputDecoder(new RelationCache(new TypeRegistry(TypeCatalog.NONE), captured), streams, consumer);
    }

    private PgoutputDecoder decoder() {
        return decoder(table -> true, 1 << 20);
    }

    @Test
    void decodesOperationsCapturedFromPostgres17() throws IOException {
        PgoutputDecoder decoder = decoder();
        for (String[] line : capture("v1-operations.txt")) {
            decoder.decode(ByteBuffer.wrap(HexFormat.of().parseHex(line[2])), Lsn.parse(line[0]));
        }
        List<ChangeEvent> events = consumer.events();
        TableId capT = new TableId("public", "cap_t");
        TableId capFull = new TableId("public", "cap_full");
        assertThat(events).extracting(ChangeEvent::operation).containsExactly(Operation.INSERT, Operation.UPDATE, Operation.DELETE,
                Operation.INSERT, Operation.DELETE, Operation.INSERT, Operation.UPDATE, Operation.DELETE, Operation.MESSAGE,
                Operation.TRUNCATE, Operation.TRUNCATE);

        ChangeEvent insert = events.get(0);
        assertThat(insert.table()).isEqualTo(capT);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 1);
        row.put("name", "one");
        row.put("price", new BigDecimal("12.50"));
        row.put("tags", Arrays.asList("a", "b c", null));
        row.put("created", Instant.parse("2024-01-15T10:00:00.123456Z"));
        row.put("big", "x".repeat(10000));
        assertThat(insert.after().asMap()).isEqualTo(row);
        assertThat(insert.keyColumns()).containsExactly("id");
        assertThat(insert.transactionId()).isEqualTo(742);
        assertThat(insert.commitLsn()).isEqualTo(Lsn.parse("0/1516898"));
        assertThat(insert.position()).isEqualTo(new Position(Lsn.parse("0/1516898"), 0));
        assertThat(insert.after().columns()).extracting(c -> c.typeName()).containsExactly("int4", "text", "numeric", "_text",
                "timestamptz", "text");

        assertThat(events.get(1).before()).as("DEFAULT identity, key unchanged: no old row").isNull();
        assertThat(events.get(1).after().value("name")).isEqualTo("uno");
        assertThat(events.get(2).before().asMap()).as("key changed: a delete of the old key").isEqualTo(Map.of("id", 1));
        assertThat(events.get(2).after()).isNull();
        assertThat(events.get(3).before()).as("then a create of the new row").isNull();
        assertThat(events.get(3).after().value("id")).isEqualTo(2);
        assertThat(events.get(3).position()).isEqualTo(new Position(events.get(2).commitLsn(), events.get(2).position().sequence() + 1));
        assertThat(events.get(4).before().asMap()).isEqualTo(Map.of("id", 2));
        assertThat(events.get(4).after()).isNull();

        assertThat(events.get(6).table()).isEqualTo(capFull);
        assertThat(events.get(6).before().asMap()).as("FULL identity: the whole old row").isEqualTo(Map.of("id", 1, "v", "a"));
        assertThat(events.get(6).after().asMap()).isEqualTo(Map.of("id", 1, "v", "b"));
        assertThat(events.get(7).before().asMap()).isEqualTo(Map.of("id", 1, "v", "b"));

        ChangeEvent message = events.get(8);
        assertThat(message.message().prefix()).isEqualTo("px");
        assertThat(message.message().transactional()).isFalse();
        assertThat(new String(message.message().content(), StandardCharsets.UTF_8)).isEqualTo("nontx");
        assertThat(message.lsn()).isEqualTo(Lsn.parse("0/1516E48"));
        assertThat(message.position()).as("just below the message's LSN, where the next commit may start")
                .isEqualTo(new Position(Lsn.parse("0/1516E47"), 0));

        assertThat(events.subList(9, 11)).extracting(ChangeEvent::table).containsExactly(capT, capFull);
        assertThat(events.get(9).truncateOptions()).isEqualTo(new TruncateOptions(false, true));
        assertThat(events.get(10).position()).isEqualTo(new Position(events.get(9).commitLsn(), 1));
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).position()).isGreaterThan(events.get(i - 1).position());
        }

        assertThat(consumer.transactionEnds()).containsExactly(Lsn.parse("0/15168C8"), Lsn.parse("0/1516A00"), Lsn.parse("0/1516B88"),
                Lsn.parse("0/1516BF8"), Lsn.parse("0/1516D08"), Lsn.parse("0/1516D90"), Lsn.parse("0/1516E08"), Lsn.parse("0/1516E48"),
                Lsn.parse("0/15187E8"));
        assertThat(decoder.isInTransaction()).isFalse();
    }

    @Test
    void keysEventsOfFullAndNothingIdentityTablesByTheirPrimaryKey() {
        streams = new StreamedTransactions(1 << 20, spillDirectory, "pgcdc-test-");
        PrimaryKeys primaryKeys = relationId -> relationId == 3 ? List.of() : List.of("tenant", "id");
        PgoutputDecoder decoder = new PgoutputDecoder(new RelationCache(new TypeRegistry(TypeCatalog.NONE), table -> true, primaryKeys),
                streams, consumer);
        decoder.decode(Messages.begin(0x100, 0, 7), Lsn.of(0x90));
        // FULL: pgoutput marks every column as the identity
        decoder.decode(Messages.relation(null, 1, "public", "full_t", 'f', "id", INT4, true, "tenant", INT4, true, "note", TEXT, true),
                Lsn.of(0x90));
        decoder.decode(Messages.insert(null, 1, "1", "7", "a"), Lsn.of(0x91));
        // NOTHING: no column is marked
        decoder.decode(Messages.relation(null, 2, "public", "nothing_t", 'n', "id", INT4, false, "tenant", INT4, false), Lsn.of(0x92));
        decoder.decode(Messages.insert(null, 2, "2", "7"), Lsn.of(0x93));
        // FULL without a primary key: the marked columns, all of them
        decoder.decode(Messages.relation(null, 3, "public", "no_pk", 'f', "a", INT4, true, "b", TEXT, true), Lsn.of(0x94));
        decoder.decode(Messages.insert(null, 3, "3", "x"), Lsn.of(0x95));
        decoder.decode(Messages.commit(0x100, 0x110, 0), Lsn.of(0x110));

        assertThat(consumer.events()).extracting(ChangeEvent::keyColumns)
                .containsExactly(List.of("tenant", "id"), List.of("tenant", "id"), List.of("a", "b"));
    }

    @Test
    void carriesTheCatalogsNotNullAndEnumLabelsLookedUpOncePerRelationMessageOfACapturedTable() {
        streams = new StreamedTransactions(1 << 20, spillDirectory, "pgcdc-test-");
        List<Integer> lookups = new ArrayList<>();
        NotNullColumns notNull = relationId -> {
            lookups.add(relationId);
            return Set.of("id");
        };
        TypeRegistry types = new TypeRegistry(oid -> oid == 70001 ? new CatalogType(oid, "mood", 'e', 'E', 0, 0, ',', -1, false,
                List.of("sad", "happy")) : null);
        PgoutputDecoder decoder = new PgoutputDecoder(new RelationCache(types, table -> !table.name().equals("skipped"), PrimaryKeys.NONE,
                KeyChange.DELETE_CREATE, notNull), streams, consumer);
        decoder.decode(Messages.begin(0x100, 0, 7), Lsn.of(0x90));
        decoder.decode(Messages.relation(null, 1, "public", "t", 'd', "id", INT4, true, "m", 70001, false), Lsn.of(0x90));
        decoder.decode(Messages.relation(null, 2, "public", "skipped", 'd', "id", INT4, true), Lsn.of(0x90));
        decoder.decode(Messages.insert(null, 1, "1", "happy"), Lsn.of(0x91));
        decoder.decode(Messages.insert(null, 1, "2", "sad"), Lsn.of(0x92));
        decoder.decode(Messages.commit(0x100, 0x110, 0), Lsn.of(0x110));

        assertThat(lookups).containsExactly(1);
        List<Column> columns = consumer.events().get(0).after().columns();
        assertThat(columns.get(0).facts().nullability()).isEqualTo(ColumnFacts.Nullability.NOT_NULL);
        assertThat(columns.get(1).facts()).isEqualTo(new ColumnFacts(ColumnFacts.Nullability.NULLABLE, null, -1, List.of("sad", "happy")));
        assertThat(consumer.events().get(1).after().columns()).isSameAs(columns);
    }

    @Test
    void keepsUnchangedToastApartFromNull() {
        PgoutputDecoder decoder = decoder();
        decoder.decode(Messages.begin(0x100, 0, 7), Lsn.of(0x90));
        decoder.decode(items(null), Lsn.of(0x90));
        decoder.decode(Messages.of('U').int32(1).byte8('N').tuple("1", Messages.UNCHANGED, null).buffer(), Lsn.of(0x98));
        decoder.decode(Messages.commit(0x100, 0x110, 0), Lsn.of(0x110));

        ChangeEvent update = consumer.events().get(0);
        assertThat(update.after().value("note")).isSameAs(UnchangedToast.INSTANCE);
        assertThat(update.after().isNull(2)).isTrue();
        assertThat(update.lsn()).isEqualTo(Lsn.of(0x98));
    }

    @Test
    void emitsStreamedTransactionOnlyAtItsCommitAfterInterleavedOnes() {
        PgoutputDecoder decoder = decoder();
        decoder.decode(Messages.streamStart(900, true), Lsn.of(0x10));
        decoder.decode(items(900), Lsn.of(0x10));
        decoder.decode(Messages.insert(900, 1, "1", "streamed", null), Lsn.of(0x20));
        decoder.decode(Messages.streamStop(), Lsn.of(0x20));
        assertThat(consumer.items).isEmpty();

        decoder.decode(Messages.begin(0x300, 0, 901), Lsn.of(0x30));
        decoder.decode(items(null), Lsn.of(0x30));
        decoder.decode(Messages.insert(null, 1, "2", "plain", null), Lsn.of(0x40));
        decoder.decode(Messages.commit(0x300, 0x310, 0), Lsn.of(0x310));
        assertThat(consumer.events()).extracting(e -> e.after().value("note")).containsExactly("plain");

        decoder.decode(Messages.streamStart(900, false), Lsn.of(0x400));
        decoder.decode(Messages.insert(900, 1, "3", "streamed too", null), Lsn.of(0x400));
        decoder.decode(Messages.streamStop(), Lsn.of(0x400));
        decoder.decode(Messages.streamCommit(900, 0x500, 0x510, 0), Lsn.of(0x510));
        assertThat(decoder.isReplaying()).isTrue();
        replayAll(decoder);

        assertThat(consumer.events()).extracting(e -> e.after().value("note")).containsExactly("plain", "streamed", "streamed too");
        assertThat(consumer.events().subList(1, 3)).extracting(ChangeEvent::position)
                .containsExactly(new Position(Lsn.of(0x500), 0), new Position(Lsn.of(0x500), 1));
        assertThat(consumer.events().get(1).transactionId()).isEqualTo(900);
        assertThat(consumer.transactionEnds()).containsExactly(Lsn.of(0x310), Lsn.of(0x510));
        assertThat(decoder.isInTransaction()).isFalse();
    }

    @Test
    void dropsAnAbortedStreamedTransaction() {
        PgoutputDecoder decoder = decoder();
        decoder.decode(Messages.streamStart(900, true), Lsn.of(0x10));
        decoder.decode(items(900), Lsn.of(0x10));
        decoder.decode(Messages.insert(900, 1, "1", "gone", null), Lsn.of(0x20));
        decoder.decode(Messages.streamStop(), Lsn.of(0x20));
        assertThat(decoder.isInTransaction()).isTrue();
        decoder.decode(Messages.streamAbort(900, 900), Lsn.of(0x30));

        assertThat(consumer.items).isEmpty();
        assertThat(decoder.isInTransaction()).isFalse();
        assertThat(streams.memoryUsed()).isZero();
    }

    @Test
    void dropsOnlyTheChangesOfAnAbortedSubtransaction() {
        PgoutputDecoder decoder = decoder();
        decoder.decode(Messages.streamStart(900, true), Lsn.of(0x10));
        decoder.decode(items(900), Lsn.of(0x10));
        decoder.decode(Messages.insert(900, 1, "1", "top", null), Lsn.of(0x20));
        decoder.decode(Messages.insert(901, 1, "2", "savepoint, rolled back", null), Lsn.of(0x30));
        decoder.decode(Messages.insert(902, 1, "3", "other savepoint, kept", null), Lsn.of(0x40));
        decoder.decode(Messages.streamStop(), Lsn.of(0x40));
        decoder.decode(Messages.streamAbort(900, 901), Lsn.of(0x50));
        decoder.decode(Messages.streamStart(900, false), Lsn.of(0x60));
        decoder.decode(Messages.insert(900, 1, "4", "after rollback", null), Lsn.of(0x60));
        decoder.decode(Messages.streamStop(), Lsn.of(0x60));
        decoder.decode(Messages.streamCommit(900, 0x70, 0x78, 0), Lsn.of(0x78));
        replayAll(decoder);

        assertThat(consumer.events()).extracting(e -> e.after().value("id")).containsExactly(1, 3, 4);
        assertThat(consumer.events()).extracting(e -> e.position().sequence()).containsExactly(0L, 1L, 2L);
    }

    @Test
    void spillsAStreamedTransactionToDiskPastTheMemoryBoundAndReplaysItInOrder() throws IOException {
        PgoutputDecoder decoder = decoder(table -> true, 16 * 1024);
        decoder.decode(Messages.streamStart(900, true), Lsn.of(0x10));
        decoder.decode(items(900), Lsn.of(0x10));
        for (int i = 0; i < 5000; i++) {
            decoder.decode(Messages.insert(900, 1, Integer.toString(i), "row " + i, null), Lsn.of(0x100 + i));
        }
        decoder.decode(Messages.streamStop(), Lsn.of(0x5000));
        assertThat(streams.spilledTransactions()).isEqualTo(1);
        assertThat(streams.memoryUsed()).isZero();
        try (Stream<Path> files = Files.list(spillDirectory)) {
            assertThat(files).hasSize(1).allSatisfy(f -> assertThat(f.getFileName().toString()).startsWith("pgcdc-test-xid900-"));
        }

        decoder.decode(Messages.streamCommit(900, 0x6000, 0x6010, 0), Lsn.of(0x6010));
        replayAll(decoder);

        List<ChangeEvent> events = consumer.events();
        assertThat(events).hasSize(5000);
        for (int i = 0; i < 5000; i++) {
            assertThat(events.get(i).after().value("id")).isEqualTo(i);
            assertThat(events.get(i).lsn()).isEqualTo(Lsn.of(0x100 + i));
        }
        assertThat(consumer.transactionEnds()).containsExactly(Lsn.of(0x6010));
        try (Stream<Path> files = Files.list(spillDirectory)) {
            assertThat(files).as("spill file deleted after replay").isEmpty();
        }
    }

    @Test
    void replaysSpilledMessagesOfGrowingAndShrinkingLengthsEachWithItsOwnValues() {
        // the replay reads every spilled message into one reused array: a long one after short ones and
        // short ones after it must each decode to their own values, none left over from another
        PgoutputDecoder decoder = decoder(table -> true, 1024);
        decoder.decode(Messages.streamStart(901, true), Lsn.of(0x10));
        decoder.decode(items(901), Lsn.of(0x10));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String name = "n" + i + "-" + "x".repeat(i % 3 == 0 ? 2000 + 37 * i : i);
            names.add(name);
            decoder.decode(Messages.insert(901, 1, Integer.toString(i), name, null), Lsn.of(0x100 + i));
        }
        decoder.decode(Messages.streamStop(), Lsn.of(0x5000));
        assertThat(streams.spilledTransactions()).isEqualTo(1);

        decoder.decode(Messages.streamCommit(901, 0x6000, 0x6010, 0), Lsn.of(0x6010));
        replayAll(decoder);

        assertThat(consumer.events()).extracting(e -> e.after().value("note")).containsExactlyElementsOf(names);
        assertThat(consumer.events()).extracting(e -> e.after().value("id")).containsExactlyElementsOf(IntStream.range(0, 60).boxed().toList());
    }

    @Test
    void decodesChangesAfterARelationChangeWithTheNewShape() {
        PgoutputDecoder decoder = decoder();
        decoder.decode(Messages.begin(0x100, 0, 7), Lsn.of(0x90));
        decoder.decode(items(null), Lsn.of(0x90));
        decoder.decode(Messages.insert(null, 1, "1", "a", null), Lsn.of(0x98));
        decoder.decode(Messages.commit(0x100, 0x110, 0), Lsn.of(0x110));
        decoder.decode(Messages.begin(0x200, 0, 8), Lsn.of(0x190));
        decoder.decode(Messages.relation(null, 1, "public", "items", 'd', "id", INT4, true, "label", TEXT, false), Lsn.of(0x190));
        decoder.decode(Messages.insert(null, 1, "2", "b"), Lsn.of(0x198));
        decoder.decode(Messages.commit(0x200, 0x210, 0), Lsn.of(0x210));

        assertThat(consumer.events().get(0).after().asMap()).containsOnlyKeys("id", "note", "extra");
        assertThat(consumer.events().get(1).after().asMap()).isEqualTo(Map.of("id", 2, "label", "b"));
    }

    @Test
    void dropsChangesOfTablesThatAreNotCapturedWithoutTakingPositions() {
        PgoutputDecoder decoder = decoder(table -> table.equals(ITEMS), 1 << 20);
        decoder.decode(Messages.begin(0x100, 0, 7), Lsn.of(0x90));
        decoder.decode(Messages.relation(null, 2, "public", "heartbeat", 'd', "id", INT4, true), Lsn.of(0x90));
        decoder.decode(Messages.insert(null, 2, "1"), Lsn.of(0x91));
        decoder.decode(items(null), Lsn.of(0x92));
        decoder.decode(Messages.insert(null, 1, "1", "a", null), Lsn.of(0x98));
        decoder.decode(Messages.commit(0x100, 0x110, 0), Lsn.of(0x110));

        assertThat(consumer.events()).singleElement().satisfies(e -> {
            assertThat(e.table()).isEqualTo(ITEMS);
            assertThat(e.position()).isEqualTo(new Position(Lsn.of(0x100), 0));
        });
        assertThat(consumer.transactionEnds()).containsExactly(Lsn.of(0x110));
    }

    @Test
    void failsOnAValueItCannotDecodeNamingLsnRelationAndColumn() {
        PgoutputDecoder decoder = decoder();
        decoder.decode(Messages.begin(0x100, 0, 7), Lsn.of(0x90));
        decoder.decode(items(null), Lsn.of(0x90));
        assertThatThrownBy(() -> decoder.decode(Messages.insert(null, 1, "not a number", "a", null), Lsn.parse("0/16B3748")))
                .isInstanceOf(SourceException.class)
                .hasMessageContaining("column \"id\"").hasMessageContaining("int4").hasMessageContaining("public.items")
                .hasMessageContaining("0/16B3748");
    }

    @Test
    void failsOnAnUnknownMessageTypeAndOnAChangeOfAnUndescribedRelation() {
        PgoutputDecoder decoder = decoder();
        assertThatThrownBy(() -> decoder.decode(Messages.of('Z').buffer(), Lsn.of(0x10)))
                .isInstanceOf(SourceException.class).hasMessageContaining("unknown pgoutput message type 'Z'");
        decoder.decode(Messages.begin(0x100, 0, 7), Lsn.of(0x90));
        assertThatThrownBy(() -> decoder.decode(Messages.insert(null, 42, "1"), Lsn.of(0x98)))
                .isInstanceOf(SourceException.class).hasMessageContaining("relation id 42");
    }

    @Test
    void failsOnATruncatedMessage() {
        PgoutputDecoder decoder = decoder();
        ByteBuffer truncated = Messages.of('B').int64(0x100).buffer();
        assertThatThrownBy(() -> decoder.decode(truncated, Lsn.of(0x10)))
                .isInstanceOf(SourceException.class).hasMessageContaining("truncated or malformed");
    }

    @Test
    void forgetsHalfReceivedStreamsOnReset() {
        PgoutputDecoder decoder = decoder(table -> true, 1024 * 64);
        decoder.decode(Messages.streamStart(900, true), Lsn.of(0x10));
        decoder.decode(items(900), Lsn.of(0x10));
        decoder.decode(Messages.insert(900, 1, "1", "x", null), Lsn.of(0x20));
        decoder.reset();
        assertThat(decoder.isInTransaction()).isFalse();
        assertThat(streams.memoryUsed()).isZero();
    }

    private static ByteBuffer items(Integer streamXid) {
        return Messages.relation(streamXid, 1, "public", "items", 'd', "id", INT4, true, "note", TEXT, false, "extra", TEXT, false);
    }

    private static void replayAll(PgoutputDecoder decoder) {
        while (decoder.isReplaying()) {
            decoder.replayNext();
        }
    }

    private static List<String[]> capture(String name) throws IOException {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                PgoutputDecoderTest.class.getResourceAsStream("/pgoutput/" + name), StandardCharsets.UTF_8))) {
            return reader.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> l.split(" ")).toList();
        }
    }
}
