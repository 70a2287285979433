package dev.pgcdc.json.debezium;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.LogicalMessage;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes keys and values in Debezium's PostgreSQL connector format: with {@code schemas} as Kafka
 * Connect's JsonConverter with {@code schemas.enable=true} reads them ({@code {"schema":...,"payload":...}}),
 * or the payload alone. Each table shape's schemas are built once ({@link TableSchema}) and reused.
 *
 * <p>Not thread-safe: one per handler, used on the pipeline thread; the generator is the caller's.
 */
public final class DebeziumEnvelopeWriter {

    private static final int MAX_CACHED_SHAPES = 1024;
    private static final SerializedString MESSAGE_KEY_SCHEMA = TableSchema.serialize(ConnectSchema.struct(
            "io.debezium.connector.postgresql.MessageKey", 1, List.of(new ConnectSchema.Field("prefix", ConnectSchema.of("string").asOptional()))));

    private final boolean withSchemas;
    private final String prefix;
    private final String database;
    private final DebeziumEncoding encoding;
    private final ValueEncoder values;
    private final FieldEncoding messageContent;
    private final SerializedString messageValueSchema;
    private final Map<List<Column>, TableSchema> schemas = new IdentityHashMap<>();
    // the last full column list of each table: the schema of deletes and truncates, whose images carry the key alone or nothing
    private final Map<TableId, TableSchema> latestByTable = new HashMap<>();
    private List<Column> lastColumns;
    private TableSchema lastSchema;

    /**
     * @param withSchemas the {@code debezium} envelope (schema and payload) rather than {@code debezium-schemaless}
     * @param prefix      Debezium's topic prefix: {@code source.name} and the first part of the schema names
     * @param database    {@code source.db}; empty when unknown
     */
    public DebeziumEnvelopeWriter(boolean withSchemas, String prefix, String database, DebeziumEncoding encoding,
            String unchangedToastPlaceholder) {
        this.withSchemas = withSchemas;
        this.prefix = prefix;
        this.database = database == null ? "" : database;
        this.encoding = encoding;
        this.values = new ValueEncoder(unchangedToastPlaceholder);
        this.messageContent = FieldEncoding.bytea(encoding.binaryHandlingMode());
        this.messageValueSchema = TableSchema.serialize(messageValueSchema(messageContent));
    }

    /**
     * Debezium's PostgresSchemaFactory: {@code MessageValue} version 1 with op, ts_ms, source, transaction and the
     * {@code Message} block (prefix, content as {@code binary.handling.mode} writes binary data), in this order.
     */
    private static ConnectSchema messageValueSchema(FieldEncoding content) {
        return ConnectSchema.struct("io.debezium.connector.postgresql.MessageValue", 1, List.of(
                new ConnectSchema.Field("op", ConnectSchema.of("string")),
                new ConnectSchema.Field("ts_ms", ConnectSchema.of("int64").asOptional()),
                new ConnectSchema.Field("source", Envelopes.SOURCE),
                new ConnectSchema.Field("transaction", Envelopes.TRANSACTION),
                new ConnectSchema.Field("message", ConnectSchema.struct("io.debezium.connector.postgresql.Message", 1, List.of(
                        new ConnectSchema.Field("prefix", ConnectSchema.of("string").asOptional()),
                        new ConnectSchema.Field("content", content.schema().asOptional()))).asOptional())));
    }

    /** Writes the key of {@code event}; false (nothing written) when it has none: a truncate, a table without a key. */
    public boolean key(JsonGenerator g, ChangeEvent event) throws IOException {
        if (event.operation() == Operation.MESSAGE) {
            startDocument(g, MESSAGE_KEY_SCHEMA);
            g.writeStartObject();
            g.writeStringField("prefix", event.message().prefix());
            g.writeEndObject();
            endDocument(g);
            return true;
        }
        if (event.operation() == Operation.TRUNCATE) {
            return false;
        }
        Row row = event.identifyingRow();
        TableSchema schema = schemaOf(event, row);
        if (schema.keySchema == null) {
            return false;
        }
        int[] indexes = row.columns() == schema.columns ? null : schema.indexesIn(row.columns());
        startDocument(g, schema.keySchema);
        g.writeStartObject();
        for (int index : schema.keyIndexes) {
            g.writeFieldName(schema.names[index]);
            int at = indexes == null ? index : indexes[index];
            values.write(g, schema.encodings[index], at < 0 ? null : row.value(at), schema.columns.get(index).name());
        }
        g.writeEndObject();
        endDocument(g);
        return true;
    }

    /** Writes the value of {@code event}; {@code tsMs} is the processing time. */
    public void value(JsonGenerator g, ChangeEvent event, long tsMs) throws IOException {
        if (event.operation() == Operation.MESSAGE) {
            writeMessage(g, event, tsMs);
            return;
        }
        TableSchema schema = event.operation() == Operation.TRUNCATE ? truncateSchema(event.table()) : schemaOf(event, event.identifyingRow());
        startDocument(g, schema.valueSchema);
        g.writeStartObject();
        g.writeFieldName("before");
        writeRow(g, schema, event.before());
        g.writeFieldName("after");
        writeRow(g, schema, event.after());
        writeSource(g, event);
        g.writeFieldName("transaction");
        g.writeNull();
        g.writeStringField("op", event.operation().code());
        writeTimestamps(g, tsMs);
        g.writeEndObject();
        endDocument(g);
    }

    private void writeMessage(JsonGenerator g, ChangeEvent event, long tsMs) throws IOException {
        LogicalMessage message = event.message();
        startDocument(g, messageValueSchema);
        g.writeStartObject();
        g.writeStringField("op", "m");
        g.writeNumberField("ts_ms", tsMs);
        writeSource(g, event);
        g.writeFieldName("transaction");
        g.writeNull();
        g.writeObjectFieldStart("message");
        g.writeStringField("prefix", message.prefix());
        g.writeFieldName("content");
        values.write(g, messageContent, message.content(), "content");
        g.writeEndObject();
        g.writeEndObject();
        endDocument(g);
    }

    private void writeSource(JsonGenerator g, ChangeEvent event) throws IOException {
        Instant commit = event.commitTime();
        g.writeObjectFieldStart("source");
        g.writeStringField("version", "pgcdc");
        g.writeStringField("connector", "postgresql");
        g.writeStringField("name", prefix);
        g.writeNumberField("ts_ms", commit.toEpochMilli());
        g.writeStringField("snapshot", event.isSnapshot() ? "true" : "false");
        g.writeStringField("db", database);
        g.writeFieldName("sequence");
        g.writeNull();
        g.writeNumberField("ts_us", commit.getEpochSecond() * 1_000_000 + commit.getNano() / 1_000);
        g.writeNumberField("ts_ns", commit.getEpochSecond() * 1_000_000_000L + commit.getNano());
        TableId table = event.table();
        g.writeStringField("schema", table == null ? "" : table.schema());
        g.writeStringField("table", table == null ? "" : table.name());
        g.writeFieldName("txId");
        if (event.transactionId() > 0) {
            g.writeNumber(event.transactionId());
        } else {
            g.writeNull();
        }
        g.writeNumberField("lsn", event.lsn().value());
        g.writeFieldName("xmin");
        g.writeNull();
        g.writeFieldName("origin");
        g.writeNull();
        g.writeFieldName("origin_lsn");
        g.writeNull();
        g.writeEndObject();
    }

    private static void writeTimestamps(JsonGenerator g, long tsMs) throws IOException {
        g.writeNumberField("ts_ms", tsMs);
        g.writeNumberField("ts_us", tsMs * 1_000);
        g.writeNumberField("ts_ns", tsMs * 1_000_000);
    }

    private void writeRow(JsonGenerator g, TableSchema schema, Row row) throws IOException {
        if (row == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        if (row.columns() == schema.columns) {
            for (int i = 0; i < schema.names.length; i++) {
                g.writeFieldName(schema.names[i]);
                values.write(g, schema.encodings[i], row.value(i), schema.columns.get(i).name());
            }
        } else {
            // a key-only image (delete, key change): the table's fields, those it lacks null, or for a required field
            // (NOT NULL) the fallback Debezium writes (its converters' fallback: zero, false, empty)
            int[] indexes = schema.indexesIn(row.columns());
            for (int i = 0; i < schema.names.length; i++) {
                g.writeFieldName(schema.names[i]);
                if (indexes[i] >= 0) {
                    values.write(g, schema.encodings[i], row.value(indexes[i]), schema.columns.get(i).name());
                } else if (schema.required[i]) {
                    values.writeFallback(g, schema.encodings[i]);
                } else {
                    g.writeNull();
                }
            }
        }
        g.writeEndObject();
    }

    /** The schema for an event's image: its own column list's, or for a key-only image the table's latest full one that covers it. */
    private TableSchema schemaOf(ChangeEvent event, Row row) {
        List<Column> columns = row.columns();
        if (columns == lastColumns) {
            return lastSchema;
        }
        if (event.after() == null) {
            TableSchema latest = latestByTable.get(event.table());
            if (latest != null && latest.columns.size() > columns.size() && latest.covers(columns)) {
                return latest; // a key-only image; not remembered as the last list: a later Relation may bring a new full one
            }
        }
        TableSchema schema = schemas.get(columns);
        if (schema == null) {
            if (schemas.size() >= MAX_CACHED_SHAPES) {
                schemas.clear();
            }
            schema = new TableSchema(prefix, event.table(), columns, keyNames(event, columns), encoding);
            schemas.put(columns, schema);
        }
        if (event.after() != null) {
            latestByTable.put(event.table(), schema);
        }
        lastColumns = columns;
        lastSchema = schema;
        return schema;
    }

    private TableSchema truncateSchema(TableId table) {
        TableSchema latest = latestByTable.get(table);
        return latest != null ? latest : new TableSchema(prefix, table, List.of(), List.of(), encoding);
    }

    private static List<String> keyNames(ChangeEvent event, List<Column> columns) {
        if (!event.keyColumns().isEmpty()) {
            return event.keyColumns();
        }
        return columns.stream().filter(Column::key).map(Column::name).toList();
    }

    private void startDocument(JsonGenerator g, SerializedString schema) throws IOException {
        if (withSchemas) {
            g.writeStartObject();
            g.writeFieldName("schema");
            g.writeRawValue(schema);
            g.writeFieldName("payload");
        }
    }

    private void endDocument(JsonGenerator g) throws IOException {
        if (withSchemas) {
            g.writeEndObject();
        }
    }
}
