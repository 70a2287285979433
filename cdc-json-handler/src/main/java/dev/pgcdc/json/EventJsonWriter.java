package dev.pgcdc.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.LogicalMessage;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.json.JsonHandlerSettings.Envelope;
import dev.pgcdc.json.debezium.DebeziumEnvelopeWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the key and the value of an event as JSON bytes with one Jackson streaming generator over
 * a reusable buffer: no reflection, no maps, no per-event formatter. Column values are rendered by
 * {@link ColumnValueWriter}. Field names of a table's columns are encoded once per column list
 * (sources share one list per table shape) and kept in a small identity cache.
 *
 * <p>Not thread-safe: one per handler, used by the pipeline thread. After a failure mid-document the
 * generator is replaced, so the next event starts clean.
 */
final class EventJsonWriter implements AutoCloseable {

    private static final JsonFactory FACTORY = new JsonFactoryBuilder().rootValueSeparator((String) null).build();
    private static final int MAX_CACHED_SHAPES = 1024;
    private static final int KEEP_BUFFER_BYTES = 1 << 20;
    private static final byte[] HEX_DIGITS = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private static final SerializedString OP = new SerializedString("op");
    private static final SerializedString BEFORE = new SerializedString("before");
    private static final SerializedString AFTER = new SerializedString("after");
    private static final SerializedString SOURCE = new SerializedString("source");
    private static final SerializedString SCHEMA = new SerializedString("schema");
    private static final SerializedString TABLE = new SerializedString("table");
    private static final SerializedString LSN = new SerializedString("lsn");
    private static final SerializedString TX_ID = new SerializedString("txId");
    private static final SerializedString COMMIT_TIME = new SerializedString("commitTime");
    private static final SerializedString SNAPSHOT = new SerializedString("snapshot");
    private static final SerializedString TS_MS = new SerializedString("tsMs");
    private static final SerializedString TRUNCATE = new SerializedString("truncate");
    private static final SerializedString CASCADE = new SerializedString("cascade");
    private static final SerializedString RESTART_IDENTITY = new SerializedString("restartIdentity");
    private static final SerializedString MESSAGE = new SerializedString("message");
    private static final SerializedString PREFIX = new SerializedString("prefix");
    private static final SerializedString CONTENT = new SerializedString("content");
    private static final SerializedString TRANSACTIONAL = new SerializedString("transactional");
    private final JsonHandlerSettings settings;
    private final DebeziumEnvelopeWriter debezium; // null for the pgcdc envelope
    private final Buffer buffer = new Buffer();
    private final char[] scratch = new char[IsoTime.MAX_LENGTH];
    private final byte[] lsnScratch = new byte[17];
    private final Map<List<Column>, Shape> shapes = new IdentityHashMap<>();
    private List<Column> lastColumns;
    private Shape lastShape;
    // the last table's names, encoded once: consecutive events are mostly of one table
    private TableId lastTable;
    private SerializedString lastSchemaName;
    private SerializedString lastTableName;
    private JsonGenerator generator;
    private ColumnValueWriter values;

    EventJsonWriter(JsonHandlerSettings settings) {
        this.settings = settings;
        this.debezium = settings.envelope().isDebezium()
                ? new DebeziumEnvelopeWriter(settings.envelope() == Envelope.DEBEZIUM, settings.debeziumName(), settings.debeziumDatabase(),
                        settings.debeziumEncoding(), settings.unchangedToastPlaceholder())
                : null;
        newGenerator();
    }

    /** The key: the event's key columns as an object, the message prefix for messages; null when there is none. */
    byte[] key(ChangeEvent event) {
        try {
            if (debezium != null) {
                return debezium.key(generator, event) ? finish() : null;
            }
            if (event.operation() == Operation.MESSAGE) {
                generator.writeStartObject();
                generator.writeFieldName(PREFIX);
                generator.writeString(event.message().prefix());
                generator.writeEndObject();
                return finish();
            }
            Row row = event.identifyingRow();
            if (row == null) {
                return null;
            }
            Shape shape = shape(row.columns());
            int[] keyIndexes = shape.keyIndexes(event.keyColumns());
            if (keyIndexes.length == 0) {
                return null;
            }
            generator.writeStartObject();
            for (int index : keyIndexes) {
                generator.writeFieldName(shape.names[index]);
                values.write(row.value(index));
            }
            generator.writeEndObject();
            return finish();
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
    }

    /** The value envelope of {@code event}; {@code tsMs} is the processing time. */
    byte[] value(ChangeEvent event, long tsMs) {
        try {
            if (debezium != null) {
                debezium.value(generator, event, tsMs);
            } else {
                writePgcdcValue(event, tsMs);
            }
            return finish();
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
    }

    private void writePgcdcValue(ChangeEvent event, long tsMs) throws IOException {
        JsonGenerator g = generator;
        g.writeStartObject();
        g.writeFieldName(OP);
        g.writeString(event.operation().code());
        g.writeFieldName(BEFORE);
        writeRow(event.before());
        g.writeFieldName(AFTER);
        writeRow(event.after());
        g.writeFieldName(SOURCE);
        g.writeStartObject();
        writeTable(event.table());
        g.writeFieldName(LSN);
        writeLsn(event.lsn());
        g.writeFieldName(TX_ID);
        g.writeNumber(event.transactionId());
        g.writeFieldName(COMMIT_TIME);
        values.write(event.commitTime());
        g.writeFieldName(SNAPSHOT);
        g.writeBoolean(event.isSnapshot());
        g.writeEndObject();
        writeOperationDetails(event);
        g.writeFieldName(TS_MS);
        g.writeNumber(tsMs);
        g.writeEndObject();
    }

    /** {@code truncate} options and {@code message} payloads: only for those operations. */
    private void writeOperationDetails(ChangeEvent event) throws IOException {
        JsonGenerator g = generator;
        if (event.operation() == Operation.TRUNCATE) {
            g.writeFieldName(TRUNCATE);
            g.writeStartObject();
            g.writeFieldName(CASCADE);
            g.writeBoolean(event.truncateOptions().cascade());
            g.writeFieldName(RESTART_IDENTITY);
            g.writeBoolean(event.truncateOptions().restartIdentity());
            g.writeEndObject();
        } else if (event.operation() == Operation.MESSAGE) {
            LogicalMessage message = event.message();
            g.writeFieldName(MESSAGE);
            g.writeStartObject();
            g.writeFieldName(PREFIX);
            g.writeString(message.prefix());
            g.writeFieldName(CONTENT);
            g.writeBinary(message.content());
            g.writeFieldName(TRANSACTIONAL);
            g.writeBoolean(message.transactional());
            g.writeEndObject();
        }
    }

    private void writeTable(TableId table) throws IOException {
        if (table == null) {
            generator.writeFieldName(SCHEMA);
            generator.writeNull();
            generator.writeFieldName(TABLE);
            generator.writeNull();
            return;
        }
        if (table != lastTable && !table.equals(lastTable)) {
            lastSchemaName = new SerializedString(table.schema());
            lastTableName = new SerializedString(table.name());
            lastTable = table;
        }
        generator.writeFieldName(SCHEMA);
        generator.writeString(lastSchemaName);
        generator.writeFieldName(TABLE);
        generator.writeString(lastTableName);
    }

    private void writeRow(Row row) throws IOException {
        if (row == null) {
            generator.writeNull();
            return;
        }
        Shape shape = shape(row.columns());
        generator.writeStartObject();
        for (int i = 0; i < shape.names.length; i++) {
            generator.writeFieldName(shape.names[i]);
            values.write(row.value(i));
        }
        generator.writeEndObject();
    }

    /**
     * PostgreSQL's {@code X/Y}, upper-case hexadecimal, as {@link Lsn#toString()} but without
     * allocating, and as raw UTF-8: hex digits and '/' need no escaping.
     */
    private void writeLsn(Lsn lsn) throws IOException {
        long value = lsn.value();
        int pos = hex(value >>> 32, lsnScratch, 0);
        lsnScratch[pos++] = '/';
        pos = hex(value & 0xFFFFFFFFL, lsnScratch, pos);
        generator.writeRawUTF8String(lsnScratch, 0, pos);
    }

    private static int hex(long value, byte[] into, int start) {
        int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(value)) / 4);
        for (int i = digits - 1; i >= 0; i--) {
            into[start + i] = HEX_DIGITS[(int) (value & 0xF)];
            value >>>= 4;
        }
        return start + digits;
    }

    private byte[] finish() throws IOException {
        generator.flush();
        return buffer.takeBytes();
    }

    private RuntimeException failed(Exception e) {
        // the generator may be in the middle of a document: start over with a fresh one
        newGenerator();
        return e instanceof RuntimeException runtime ? runtime : new UncheckedIOException((IOException) e);
    }

    private void newGenerator() {
        buffer.clear();
        try {
            if (generator != null) {
                generator.close();
            }
            buffer.clear();
            generator = FACTORY.createGenerator(buffer, JsonEncoding.UTF8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        values = new ColumnValueWriter(generator, settings.unchangedToastPlaceholder(), scratch);
    }

    private Shape shape(List<Column> columns) {
        if (columns == lastColumns) {
            return lastShape;
        }
        Shape shape = shapes.get(columns);
        if (shape == null) {
            if (shapes.size() >= MAX_CACHED_SHAPES) {
                shapes.clear();
            }
            shape = new Shape(columns);
            shapes.put(columns, shape);
        }
        lastColumns = columns;
        lastShape = shape;
        return shape;
    }

    @Override
    public void close() {
        try {
            generator.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One column list's encoded field names and key positions. */
    private static final class Shape {
        private final List<Column> columns;
        private final SerializableString[] names;
        private List<String> keyNames;
        private int[] keyIndexes;

        Shape(List<Column> columns) {
            this.columns = columns;
            this.names = new SerializableString[columns.size()];
            for (int i = 0; i < names.length; i++) {
                names[i] = new SerializedString(columns.get(i).name());
            }
        }

        /** Positions of the key columns: those named by the event, or else those the columns mark as key. */
        int[] keyIndexes(List<String> eventKeyNames) {
            if (eventKeyNames == keyNames && keyIndexes != null) {
                return keyIndexes;
            }
            int[] found = new int[columns.size()];
            int count = 0;
            if (eventKeyNames.isEmpty()) {
                for (int i = 0; i < columns.size(); i++) {
                    if (columns.get(i).key()) {
                        found[count++] = i;
                    }
                }
            } else {
                for (String name : eventKeyNames) {
                    for (int i = 0; i < columns.size(); i++) {
                        if (columns.get(i).name().equals(name)) {
                            found[count++] = i;
                            break;
                        }
                    }
                }
            }
            keyNames = eventKeyNames;
            keyIndexes = Arrays.copyOf(found, count);
            return keyIndexes;
        }
    }

    /** The generator's target: a growable byte array, emptied after each document. */
    private static final class Buffer extends OutputStream {
        private byte[] bytes = new byte[1024];
        private int count;

        @Override
        public void write(int b) {
            ensure(1);
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] source, int offset, int length) {
            ensure(length);
            System.arraycopy(source, offset, bytes, count, length);
            count += length;
        }

        private void ensure(int more) {
            if (count + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + more));
            }
        }

        byte[] takeBytes() {
            byte[] copy = Arrays.copyOf(bytes, count);
            clear();
            return copy;
        }

        void clear() {
            count = 0;
            if (bytes.length > KEEP_BUFFER_BYTES) {
                bytes = new byte[1024]; // one huge event does not keep its buffer for ever
            }
        }
    }
}
