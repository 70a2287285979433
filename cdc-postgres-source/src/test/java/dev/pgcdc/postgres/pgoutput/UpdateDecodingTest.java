package dev.pgcdc.postgres.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.value.UnchangedToast;
import dev.pgcdc.postgres.types.TypeCatalog;
import dev.pgcdc.postgres.types.TypeRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Updates: key changes (delete + create or one update), unchanged TOAST under FULL identity, and non-transactional messages' positions. */
class UpdateDecodingTest {

    private static final int INT4 = 23;
    private static final int TEXT = 25;
    private static final String U = Messages.UNCHANGED;

    @TempDir
    Path spillDirectory;

    private final CollectingConsumer consumer = new CollectingConsumer();

    private PgoutputDecoder decoder(KeyChange keyChange) {
        PrimaryKeys primaryKeys = relationId -> relationId == 3 ? List.of() : List.of("id");
        return new PgoutputDecoder(new RelationCache(new TypeRegistry(TypeCatalog.NONE), table -> true, primaryKeys, keyChange),
                new StreamedTransactions(1 << 20, spillDirectory, "pgcdc-test-"), consumer);
    }

    /** Decodes {@code changes} in one transaction committed at 0x100 over the relations default_t (1), full_t (2) and full_nopk (3). */
    private List<ChangeEvent> inTransaction(PgoutputDecoder decoder, ByteBuffer... changes) {
        decoder.decode(Messages.begin(0x100, 0, 7), Lsn.of(0x10));
        decoder.decode(Messages.relation(null, 1, "public", "default_t", 'd', "id", INT4, true, "note", TEXT, false), Lsn.of(0x10));
        decoder.decode(Messages.relation(null, 2, "public", "full_t", 'f', "id", INT4, true, "note", TEXT, true), Lsn.of(0x10));
        decoder.decode(Messages.relation(null, 3, "public", "full_nopk", 'f', "a", INT4, true, "b", TEXT, true), Lsn.of(0x10));
        long lsn = 0x20;
        for (ByteBuffer change : changes) {
            decoder.decode(change, Lsn.of(lsn++));
        }
        decoder.decode(Messages.commit(0x100, 0x110, 0), Lsn.of(0x110));
        return consumer.events();
    }

    @Test
    void splitsAKeyChangeUnderDefaultIdentityIntoDeleteOfTheOldKeyAndCreate() {
        List<ChangeEvent> events = inTransaction(decoder(KeyChange.DELETE_CREATE),
                Messages.update(1, 'K', new String[] {"1", null}, "2", "moved"),
                Messages.update(1, (char) 0, null, "2", "edited"));

        assertThat(events).extracting(ChangeEvent::operation).containsExactly(Operation.DELETE, Operation.INSERT, Operation.UPDATE);
        assertThat(events.get(0).before().asMap()).isEqualTo(Map.of("id", 1));
        assertThat(events.get(0).after()).isNull();
        assertThat(events.get(0).keyColumns()).containsExactly("id");
        assertThat(events.get(1).before()).isNull();
        assertThat(events.get(1).after().asMap()).isEqualTo(Map.of("id", 2, "note", "moved"));
        assertThat(events).extracting(ChangeEvent::position).containsExactly(new Position(Lsn.of(0x100), 0), new Position(Lsn.of(0x100), 1),
                new Position(Lsn.of(0x100), 2));
    }

    @Test
    void splitsAKeyChangeUnderFullIdentityByComparingThePrimaryKey() {
        List<ChangeEvent> events = inTransaction(decoder(KeyChange.DELETE_CREATE),
                Messages.update(2, 'O', new String[] {"1", "a"}, "1", "b"),
                Messages.update(2, 'O', new String[] {"1", "b"}, "5", "b"),
                Messages.update(3, 'O', new String[] {"1", "a"}, "2", "b"));

        assertThat(events).extracting(ChangeEvent::operation).containsExactly(Operation.UPDATE, Operation.DELETE, Operation.INSERT,
                Operation.UPDATE);
        assertThat(events.get(1).before().asMap()).as("the whole old row").isEqualTo(Map.of("id", 1, "note", "b"));
        assertThat(events.get(2).after().asMap()).isEqualTo(Map.of("id", 5, "note", "b"));
        assertThat(events.get(3).table().name()).as("FULL without a primary key: no key to change").isEqualTo("full_nopk");
    }

    @Test
    void keepsOneUpdateForAKeyChangeWhenConfigured() {
        List<ChangeEvent> events = inTransaction(decoder(KeyChange.UPDATE), Messages.update(1, 'K', new String[] {"1", null}, "2", "moved"));

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.operation()).isEqualTo(Operation.UPDATE);
            assertThat(e.before().asMap()).isEqualTo(Map.of("id", 1));
            assertThat(e.after().value("id")).isEqualTo(2);
        });
    }

    @Test
    void keepsAnUpdateWhoseOldKeyIsSentButUnchanged() {
        // PostgreSQL also logs the old key when a key column is stored out of line, changed or not
        List<ChangeEvent> events = inTransaction(decoder(KeyChange.DELETE_CREATE),
                Messages.update(1, 'K', new String[] {"1", null}, "1", "same key"));

        assertThat(events).extracting(ChangeEvent::operation).containsExactly(Operation.UPDATE);
    }

    @Test
    void fillsUnchangedToastFromTheOldRowUnderFullIdentity() {
        List<ChangeEvent> events = inTransaction(decoder(KeyChange.DELETE_CREATE),
                Messages.update(2, 'O', new String[] {"1", "big value"}, "1", U),
                Messages.update(1, (char) 0, null, "1", U));

        assertThat(events.get(0).after().asMap()).isEqualTo(Map.of("id", 1, "note", "big value"));
        assertThat(events.get(1).after().value("note")).as("DEFAULT identity: no old value to take").isSameAs(UnchangedToast.INSTANCE);
    }

    @Test
    void givesANonTransactionalMessagePositionsThatNeverCollideWithTheNextCommit() {
        PgoutputDecoder decoder = decoder(KeyChange.DELETE_CREATE);
        // BEGIN; INSERT; SELECT pg_logical_emit_message(false, ...); COMMIT: the message comes first, sent when decoded,
        // and ends exactly where the commit record starts: the transaction's final LSN
        decoder.decode(Messages.message(null, false, 0x200, "p", "x"), Lsn.of(0x200));
        decoder.decode(Messages.begin(0x200, 0, 8), Lsn.of(0x1C0));
        decoder.decode(Messages.relation(null, 1, "public", "default_t", 'd', "id", INT4, true, "note", TEXT, false), Lsn.of(0x1C0));
        decoder.decode(Messages.insert(null, 1, "1", "row"), Lsn.of(0x1C0));
        decoder.decode(Messages.commit(0x200, 0x230, 0), Lsn.of(0x230));
        decoder.decode(Messages.message(null, false, 0x260, "p", "y"), Lsn.of(0x260));

        List<ChangeEvent> events = consumer.events();
        assertThat(events).extracting(ChangeEvent::position).containsExactly(new Position(Lsn.of(0x1FF), 0), new Position(Lsn.of(0x200), 0),
                new Position(Lsn.of(0x25F), 0));
        assertThat(events.get(0).lsn()).isEqualTo(Lsn.of(0x200));
        assertThat(consumer.transactionEnds()).containsExactly(Lsn.of(0x200), Lsn.of(0x230), Lsn.of(0x260));
    }
}
