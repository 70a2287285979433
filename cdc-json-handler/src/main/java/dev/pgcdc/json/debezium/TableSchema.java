package dev.pgcdc.json.debezium;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.TableId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One table shape in Debezium's form: its columns' encodings and field names, and its key and value
 * Connect schemas ({@code <prefix>.<schema>.<table>.Key}, {@code ...Envelope} with {@code ...Value})
 * serialized once. Built once per column list, that is per Relation message of the table, and cached
 * by the envelope writer. Not thread-safe.
 */
final class TableSchema {

    private static final JsonFactory FACTORY = new JsonFactory();

    final List<Column> columns;
    final SerializedString[] names;
    final FieldEncoding[] encodings;
    /** Per field, whether its schema is required: an image lacking it writes Debezium's fallback, not null. */
    final boolean[] required;
    final List<String> keyNames;
    final int[] keyIndexes;
    final SerializedString keySchema;
    final SerializedString valueSchema;
    private final Map<List<Column>, int[]> partialIndexes = new IdentityHashMap<>();

    /**
     * @param keyNames the key columns (those named by the events; else the columns marked as key), may be empty
     */
    TableSchema(String prefix, TableId table, List<Column> columns, List<String> keyNames, DebeziumEncoding encoding) {
        this.columns = columns;
        this.keyNames = keyNames;
        int count = columns.size();
        names = new SerializedString[count];
        encodings = new FieldEncoding[count];
        required = new boolean[count];
        List<ConnectSchema.Field> valueFields = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Column column = columns.get(i);
            names[i] = new SerializedString(column.name());
            encodings[i] = FieldEncoding.of(column, encoding);
            required[i] = isRequired(column, columns, keyNames);
            valueFields.add(new ConnectSchema.Field(column.name(), encodings[i].schema().withOptional(!required[i])));
        }
        keyIndexes = new int[keyNames.size()];
        List<ConnectSchema.Field> keyFields = new ArrayList<>(keyNames.size());
        for (int k = 0; k < keyNames.size(); k++) {
            int index = indexOf(columns, keyNames.get(k));
            keyIndexes[k] = index;
            if (index >= 0) {
                keyFields.add(new ConnectSchema.Field(keyNames.get(k), valueFields.get(index).schema()));
            }
        }
        String base = prefix + "." + table.schema() + "." + table.name();
        ConnectSchema value = ConnectSchema.struct(base + ".Value", null, valueFields).asOptional();
        keySchema = keyFields.isEmpty() ? null : serialize(ConnectSchema.struct(base + ".Key", null, keyFields));
        valueSchema = serialize(Envelopes.envelope(base + ".Envelope", value));
    }

    /**
     * Required as Debezium marks it: a {@code NOT NULL} column (its own or its domain's). When the source did not
     * look nullability up, key columns are required (a primary key is never null) and the others optional.
     */
    private static boolean isRequired(Column column, List<Column> columns, List<String> keyNames) {
        return switch (column.facts().nullability()) {
            case NOT_NULL -> true;
            case NULLABLE -> false;
            case UNKNOWN -> keyNames.contains(column.name()) && keyIsPrimaryKey(columns, keyNames);
        };
    }

    /** A key of every column is FULL identity without a primary key: such columns may hold nulls. */
    private static boolean keyIsPrimaryKey(List<Column> columns, List<String> keyNames) {
        return keyNames.size() < columns.size() || columns.size() == 1;
    }

    /** For each field of this schema, its position in {@code partial} (an image of fewer columns, e.g. the key of a delete), or -1. */
    int[] indexesIn(List<Column> partial) {
        int[] indexes = partialIndexes.get(partial);
        if (indexes == null) {
            indexes = new int[columns.size()];
            for (int i = 0; i < indexes.length; i++) {
                indexes[i] = indexOf(partial, columns.get(i).name());
            }
            partialIndexes.put(partial, indexes);
        }
        return indexes;
    }

    /** Whether every column of {@code partial} is one of this schema's (same name and type). */
    boolean covers(List<Column> partial) {
        for (Column column : partial) {
            int index = indexOf(columns, column.name());
            if (index < 0 || columns.get(index).typeOid() != column.typeOid()) {
                return false;
            }
        }
        return true;
    }

    static int indexOf(List<Column> columns, String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    static SerializedString serialize(ConnectSchema schema) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator generator = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            schema.write(generator);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SerializedString(out.toString(StandardCharsets.UTF_8));
    }
}
