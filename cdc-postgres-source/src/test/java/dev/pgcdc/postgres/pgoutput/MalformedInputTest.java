package dev.pgcdc.postgres.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.postgres.types.TypeCatalog;
import dev.pgcdc.postgres.types.TypeRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Truncated or garbled input fails loudly with what and where, never with an index or buffer exception, never by silently ending. */
class MalformedInputTest {

    private static final int INT4 = 23;
    private static final int TEXT = 25;

    @TempDir
    Path spillDirectory;

    private StreamedTransactions streams;

    private PgoutputDecoder decoder(long memoryLimit) {
        streams = new StreamedTransactions(memoryLimit, spillDirectory, "pgcdc-test-");
        return new PgoutputDecoder(new RelationCache(new TypeRegistry(TypeCatalog.NONE), table -> true), streams, new CollectingConsumer());
    }

    @Test
    void failsOnEveryTruncationOfEveryCapturedMessageWithTheTypeAndLsn() throws IOException {
        List<String[]> capture = capture();
        int truncations = 0;
        for (int i = 0; i < capture.size(); i++) {
            byte[] message = HexFormat.of().parseHex(capture.get(i)[2]);
            Lsn lsn = Lsn.parse(capture.get(i)[0]);
            for (int length = 0; length < message.length; length += length < 48 ? 1 : 211) {
                PgoutputDecoder decoder = decoder(1 << 20);
                for (int before = 0; before < i; before++) {
                    decoder.decode(ByteBuffer.wrap(HexFormat.of().parseHex(capture.get(before)[2])), Lsn.parse(capture.get(before)[0]));
                }
                byte[] truncated = java.util.Arrays.copyOf(message, length);
                Throwable failure = catchThrowable(() -> {
                    PgoutputDecoder d = decoder;
                    d.decode(withHeader(truncated), lsn);
                    while (d.isReplaying()) {
                        d.replayNext();
                    }
                });
                assertThat(failure).as("message %d (%s) cut to %d of %d bytes", i, (char) message[0], length, message.length)
                        .isInstanceOf(SourceException.class).hasMessageContaining(lsn.toString());
                if (length > 0) {
                    assertThat(failure).hasMessageContaining("'" + (char) message[0] + "'");
                }
                truncations++;
            }
        }
        assertThat(truncations).isGreaterThan(500);
    }

    @Test
    void failsOnGarbledLengthsWithTheTypeAndLsn() {
        PgoutputDecoder decoder = decoder(1 << 20);
        decoder.decode(Messages.begin(0x100, 0, 7), Lsn.of(0x90));
        decoder.decode(Messages.relation(null, 1, "public", "items", 'd', "id", INT4, true, "note", TEXT, false), Lsn.of(0x90));
        List<ByteBuffer> garbled = new ArrayList<>();
        garbled.add(Messages.of('I').int32(1).byte8('N').int16(2).byte8('t').int32(1).byte8('1').byte8('t').int32(0x7FFFFFFF).buffer());
        garbled.add(Messages.of('I').int32(1).byte8('N').int16(2).byte8('t').int32(1).byte8('1').byte8('t').int32(-5).buffer());
        garbled.add(Messages.of('I').int32(1).byte8('N').int16(2).byte8('t').int32(1).byte8('1').byte8('t').buffer());
        garbled.add(Messages.of('M').byte8(1).int64(0x95).string("p").int32(-1).buffer());
        garbled.add(Messages.of('M').byte8(1).int64(0x95).string("p").int32(1 << 30).buffer());
        garbled.add(Messages.of('R').int32(2).string("public").buffer());
        garbled.add(Messages.of('C').byte8(0).int64(Long.MAX_VALUE).buffer());
        for (ByteBuffer message : garbled) {
            char type = (char) message.get(0);
            assertThatThrownBy(() -> decoder.decode(message, Lsn.parse("0/16B3748")))
                    .as("garbled '%s'", type)
                    .isInstanceOf(SourceException.class).hasMessageContaining("0/16B3748").hasMessageContaining("'" + type + "'");
        }
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.allocate(0), Lsn.parse("0/16B3748")))
                .isInstanceOf(SourceException.class).hasMessageContaining("empty pgoutput message at LSN 0/16B3748");
    }

    @Test
    void failsTheReplayOfASpillFileCutInTheMiddleOfAMessageNamingTheFile() throws IOException {
        Path file = spillAndCut(size -> size - 7);

        assertThatThrownBy(() -> replayAfterCommit()).isInstanceOf(SourceException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("truncated");
    }

    @Test
    void failsTheReplayOfASpillFileCutBetweenTwoMessages() throws IOException {
        // each record: LSN, subxid, length, then the message; the last insert's message is as long as the first
        Path file = spillAndCut(size -> size - recordLength());

        assertThatThrownBy(() -> replayAfterCommit()).isInstanceOf(SourceException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("ends after 2000 of its 2001 messages");
    }

    private PgoutputDecoder spilling;

    private Path spillAndCut(java.util.function.LongUnaryOperator newSize) throws IOException {
        spilling = decoder(16 * 1024);
        spilling.decode(Messages.streamStart(900, true), Lsn.of(0x10));
        spilling.decode(Messages.relation(900, 1, "public", "items", 'd', "id", INT4, true, "note", TEXT, false), Lsn.of(0x10));
        for (int i = 0; i < 2000; i++) {
            spilling.decode(Messages.insert(900, 1, String.format("%04d", i), "row"), Lsn.of(0x100 + i));
        }
        spilling.decode(Messages.streamStop(), Lsn.of(0x5000));
        spilling.decode(Messages.streamCommit(900, 0x6000, 0x6010, 0), Lsn.of(0x6010));
        Path file;
        try (Stream<Path> files = Files.list(spillDirectory)) {
            file = files.findFirst().orElseThrow();
        }
        // the replay opened the file already; cutting it now is what a full disk or a cleaner would do under it
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(newSize.applyAsLong(channel.size()));
        }
        return file;
    }

    private void replayAfterCommit() {
        while (spilling.isReplaying()) {
            spilling.replayNext();
        }
    }

    private static long recordLength() {
        return 8 + 8 + 4 + Messages.insert(900, 1, "0000", "row").limit();
    }

    private static ByteBuffer withHeader(byte[] message) {
        byte[] array = new byte[25 + message.length];
        System.arraycopy(message, 0, array, 25, message.length);
        return ByteBuffer.wrap(array).position(25).slice();
    }

    private static List<String[]> capture() throws IOException {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                MalformedInputTest.class.getResourceAsStream("/pgoutput/v1-operations.txt"), StandardCharsets.UTF_8))) {
            return reader.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> l.split(" ")).toList();
        }
    }
}
