package dev.pgcdc.postgres.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.postgres.types.TypeCatalog;
import dev.pgcdc.postgres.types.TypeRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prepared transactions of a {@code two_phase} slot: buffered until COMMIT PREPARED, dropped at ROLLBACK PREPARED, never confirmed past. */
class PreparedTransactionDecoderTest {

    private static final int INT4 = 23;
    private static final int TEXT = 25;

    @TempDir
    Path spillDirectory;

    private final CollectingConsumer consumer = new CollectingConsumer();
    private StreamedTransactions streams;

    private PgoutputDecoder decoder(long memoryLimit) {
        streams = new StreamedTransactions(memoryLimit, spillDirectory, "pgcdc-test-");
        return new PgoutputDecoder(new RelationCache(new TypeRegistry(TypeCatalog.NONE), table -> true), streams, consumer);
    }

    @Test
    void emitsAPreparedTransactionAtCommitPreparedWithTheCommitPositions() {
        PgoutputDecoder decoder = decoder(1 << 20);
        decoder.decode(Messages.beginPrepare(0x200, 0x230, 700, "gid-1"), Lsn.of(0x100));
        decoder.decode(items(null), Lsn.of(0x100));
        decoder.decode(Messages.insert(null, 1, "1", "prepared", null), Lsn.of(0x110));
        decoder.decode(Messages.message(null, true, 0x120, "audit", "in prepared"), Lsn.of(0x120));
        decoder.decode(Messages.insert(null, 1, "2", "prepared too", null), Lsn.of(0x130));
        decoder.decode(Messages.prepare(0x200, 0x230, 700, "gid-1"), Lsn.of(0x230));
        assertThat(consumer.items).as("nothing before the commit").isEmpty();
        assertThat(decoder.isInTransaction()).as("an unresolved prepared transaction holds back idle checkpoints").isTrue();

        // a plain transaction committed after the PREPARE: emitted, but its end not confirmable past the PREPARE
        decoder.decode(Messages.begin(0x300, 0, 701), Lsn.of(0x300));
        decoder.decode(Messages.insert(null, 1, "3", "plain", null), Lsn.of(0x300));
        decoder.decode(Messages.commit(0x300, 0x330, 0), Lsn.of(0x330));
        assertThat(consumer.events()).extracting(e -> e.after().value("note")).containsExactly("plain");
        assertThat(consumer.transactionEnds()).containsExactly(Lsn.of(0x200));

        decoder.decode(Messages.commitPrepared(0x400, 0x430, 700, "gid-1"), Lsn.of(0x430));
        replayAll(decoder);

        assertThat(consumer.events()).hasSize(4);
        assertThat(consumer.events().subList(1, 4)).extracting(ChangeEvent::position).containsExactly(new Position(Lsn.of(0x400), 0),
                new Position(Lsn.of(0x400), 1), new Position(Lsn.of(0x400), 2));
        assertThat(consumer.events().get(1).after().value("note")).isEqualTo("prepared");
        assertThat(consumer.events().get(2).message().prefix()).isEqualTo("audit");
        assertThat(consumer.events().get(1).transactionId()).isEqualTo(700);
        assertThat(consumer.events().get(1).commitLsn()).isEqualTo(Lsn.of(0x400));
        assertThat(consumer.transactionEnds()).containsExactly(Lsn.of(0x200), Lsn.of(0x430));
        assertThat(decoder.isInTransaction()).isFalse();
        assertThat(streams.memoryUsed()).isZero();
    }

    @Test
    void dropsARolledBackPreparedTransaction() {
        PgoutputDecoder decoder = decoder(1 << 20);
        decoder.decode(Messages.beginPrepare(0x200, 0x230, 700, "gid-1"), Lsn.of(0x100));
        decoder.decode(items(null), Lsn.of(0x100));
        decoder.decode(Messages.insert(null, 1, "1", "never", null), Lsn.of(0x110));
        decoder.decode(Messages.prepare(0x200, 0x230, 700, "gid-1"), Lsn.of(0x230));
        decoder.decode(Messages.rollbackPrepared(0x230, 0x330, 700, "gid-1"), Lsn.of(0x330));

        assertThat(consumer.events()).isEmpty();
        assertThat(consumer.transactionEnds()).containsExactly(Lsn.of(0x330));
        assertThat(decoder.isInTransaction()).isFalse();
        assertThat(streams.memoryUsed()).isZero();
    }

    @Test
    void capsConfirmationAtTheEarliestUnresolvedPrepare() {
        PgoutputDecoder decoder = decoder(1 << 20);
        prepare(decoder, 700, 0x200);
        prepare(decoder, 702, 0x500);
        decoder.decode(Messages.message(null, false, 0x600, "beacon", "x"), Lsn.of(0x600));
        decoder.decode(Messages.commitPrepared(0x700, 0x730, 700, "gid-700"), Lsn.of(0x730));
        replayAll(decoder);
        decoder.decode(Messages.rollbackPrepared(0x530, 0x830, 702, "gid-702"), Lsn.of(0x830));

        assertThat(consumer.transactionEnds()).containsExactly(Lsn.of(0x200), Lsn.of(0x500), Lsn.of(0x830));
        assertThat(consumer.events()).extracting(e -> e.position().commitLsn()).containsExactly(Lsn.of(0x5FF), Lsn.of(0x700));
    }

    @Test
    void emitsAStreamedPreparedTransactionAtCommitPrepared() {
        PgoutputDecoder decoder = decoder(1 << 20);
        decoder.decode(Messages.streamStart(900, true), Lsn.of(0x10));
        decoder.decode(items(900), Lsn.of(0x10));
        decoder.decode(Messages.insert(900, 1, "1", "streamed", null), Lsn.of(0x20));
        decoder.decode(Messages.streamStop(), Lsn.of(0x20));
        decoder.decode(Messages.streamPrepare(0x100, 0x130, 900, "gid-s"), Lsn.of(0x130));
        assertThat(decoder.isInTransaction()).isTrue();

        decoder.decode(Messages.begin(0x200, 0, 901), Lsn.of(0x200));
        decoder.decode(Messages.commit(0x200, 0x230, 0), Lsn.of(0x230));
        decoder.decode(Messages.commitPrepared(0x300, 0x330, 900, "gid-s"), Lsn.of(0x330));
        replayAll(decoder);

        assertThat(consumer.events()).singleElement().satisfies(e -> {
            assertThat(e.after().value("note")).isEqualTo("streamed");
            assertThat(e.position()).isEqualTo(new Position(Lsn.of(0x300), 0));
        });
        assertThat(consumer.transactionEnds()).containsExactly(Lsn.of(0x100), Lsn.of(0x330));
    }

    @Test
    void spillsALargePreparedTransactionAndReplaysItAtCommitPrepared() throws IOException {
        PgoutputDecoder decoder = decoder(16 * 1024);
        decoder.decode(Messages.beginPrepare(0x9000, 0x9030, 700, "big"), Lsn.of(0x100));
        decoder.decode(items(null), Lsn.of(0x100));
        for (int i = 0; i < 3000; i++) {
            decoder.decode(Messages.insert(null, 1, Integer.toString(i), "row " + i, null), Lsn.of(0x200 + i));
        }
        decoder.decode(Messages.prepare(0x9000, 0x9030, 700, "big"), Lsn.of(0x9030));
        assertThat(streams.spilledTransactions()).isEqualTo(1);
        assertThat(streams.memoryUsed()).isZero();

        decoder.decode(Messages.commitPrepared(0xA000, 0xA030, 700, "big"), Lsn.of(0xA030));
        replayAll(decoder);

        assertThat(consumer.events()).hasSize(3000);
        for (int i = 0; i < 3000; i++) {
            assertThat(consumer.events().get(i).after().value("id")).isEqualTo(i);
            assertThat(consumer.events().get(i).position()).isEqualTo(new Position(Lsn.of(0xA000), i));
        }
        try (Stream<Path> files = Files.list(spillDirectory)) {
            assertThat(files).as("spill file deleted after replay").isEmpty();
        }
    }

    @Test
    void forgetsUnresolvedPreparedTransactionsOnReset() {
        PgoutputDecoder decoder = decoder(1 << 20);
        prepare(decoder, 700, 0x200);
        decoder.reset();

        assertThat(decoder.isInTransaction()).isFalse();
        assertThat(streams.memoryUsed()).isZero();
        decoder.decode(Messages.begin(0x300, 0, 701), Lsn.of(0x300));
        decoder.decode(Messages.commit(0x300, 0x330, 0), Lsn.of(0x330));
        assertThat(consumer.transactionEnds()).as("no cap left").containsExactly(Lsn.of(0x330));
    }

    @Test
    void confirmsACommitPreparedWhosePrepareItNeverReceived() {
        PgoutputDecoder decoder = decoder(1 << 20);
        decoder.decode(Messages.commitPrepared(0x400, 0x430, 700, "gid-1"), Lsn.of(0x430));

        assertThat(decoder.isReplaying()).isFalse();
        assertThat(consumer.events()).isEmpty();
        assertThat(consumer.transactionEnds()).containsExactly(Lsn.of(0x430));
    }

    private static void prepare(PgoutputDecoder decoder, int xid, long prepareLsn) {
        decoder.decode(Messages.beginPrepare(prepareLsn, prepareLsn + 0x30, xid, "gid-" + xid), Lsn.of(prepareLsn - 0x10));
        decoder.decode(items(null), Lsn.of(prepareLsn - 0x10));
        decoder.decode(Messages.insert(null, 1, Integer.toString(xid), "x", null), Lsn.of(prepareLsn - 0x8));
        decoder.decode(Messages.prepare(prepareLsn, prepareLsn + 0x30, xid, "gid-" + xid), Lsn.of(prepareLsn + 0x30));
    }

    private static ByteBuffer items(Integer streamXid) {
        return Messages.relation(streamXid, 1, "public", "items", 'd', "id", INT4, true, "note", TEXT, false, "extra", TEXT, false);
    }

    private static void replayAll(PgoutputDecoder decoder) {
        while (decoder.isReplaying()) {
            decoder.replayNext();
        }
    }
}
