package dev.pgcdc.api.snapshot;

import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A table as a snapshot reads it: its columns and keys exactly as the source's stream describes them,
 * and the decoder that turns the text form of a row (the values as PostgreSQL's output functions
 * write them, with the session settings of {@link dev.pgcdc.api.source.DatabaseConnections}) into
 * the same Java values the stream produces for the same row. Immutable and thread-safe.
 *
 * @param table      the table
 * @param columns    the captured columns in table order, as streamed rows carry them (type OID and name, type
 *                   modifier, key flag = part of the replica identity)
 * @param keyColumns the key column names of its events ({@link dev.pgcdc.api.event.ChangeEvent#keyColumns()})
 * @param chunkKey   the columns that identify a row, in index order, for chunking by key ranges: the primary
 *                   key, else the replica identity index; empty when the table has neither (chunked by ctid)
 * @param decoder    decodes one column's text
 * @param rowFilter  the publication's row filter of the table ({@code WHERE} of {@code CREATE PUBLICATION ... FOR TABLE},
 *                   PostgreSQL 15+), an SQL condition the snapshot's rows must also meet; null when it has none
 */
public record TableShape(TableId table, List<Column> columns, List<String> keyColumns, List<String> chunkKey, ValueDecoder decoder,
                         String rowFilter) {

    /** Turns the text of one value into its Java value. Thread-safe. */
    @FunctionalInterface
    public interface ValueDecoder {

        /**
         * @param column index into {@link TableShape#columns()}
         * @param text   the value's text, never null (SQL NULL is not decoded)
         * @throws RuntimeException when the text is not a value of the column's type
         */
        Object decode(int column, String text);

        /**
         * As {@link #decode(int, String)}, from the text's UTF-8 bytes as the server sent them: a reader
         * that has them spares turning them into a String and back. By default through that method.
         *
         * @param text the value's text, never null; not modified, and not kept unless the value is built on it
         */
        default Object decode(int column, byte[] text) {
            return decode(column, new String(text, StandardCharsets.UTF_8));
        }
    }

    public TableShape {
        Objects.requireNonNull(table, "table");
        columns = List.copyOf(columns);
        keyColumns = List.copyOf(keyColumns);
        chunkKey = List.copyOf(chunkKey);
        Objects.requireNonNull(decoder, "decoder");
    }

    /** A table no row filter restricts. */
    public TableShape(TableId table, List<Column> columns, List<String> keyColumns, List<String> chunkKey, ValueDecoder decoder) {
        this(table, columns, keyColumns, chunkKey, decoder, null);
    }

    /** {@code condition} (a snapshot's {@code query-condition}) and the {@link #rowFilter}, each when present. */
    public java.util.Optional<String> restrict(java.util.Optional<String> condition) {
        if (rowFilter == null) {
            return condition;
        }
        return java.util.Optional.of(condition.map(text -> "(" + text + ") AND (" + rowFilter + ")").orElse(rowFilter));
    }

    /** The row whose values have the text forms {@code texts} (one per column, null for SQL NULL). */
    public Row decode(String[] texts) {
        checkCount(texts.length);
        Object[] values = new Object[texts.length];
        for (int i = 0; i < texts.length; i++) {
            String text = texts[i];
            if (text != null) {
                try {
                    values[i] = decoder.decode(i, text);
                } catch (RuntimeException e) {
                    throw undecodable(i, e);
                }
            }
        }
        return new Row(columns, values);
    }

    /** As {@link #decode(String[])}, from the UTF-8 bytes of the texts (null for SQL NULL). */
    public Row decode(byte[][] texts) {
        checkCount(texts.length);
        Object[] values = new Object[texts.length];
        for (int i = 0; i < texts.length; i++) {
            byte[] text = texts[i];
            if (text != null) {
                try {
                    values[i] = decoder.decode(i, text);
                } catch (RuntimeException e) {
                    throw undecodable(i, e);
                }
            }
        }
        return new Row(columns, values);
    }

    private void checkCount(int values) {
        if (values != columns.size()) {
            throw new IllegalArgumentException(table + " has " + columns.size() + " columns, got " + values + " values");
        }
    }

    private IllegalArgumentException undecodable(int index, RuntimeException error) {
        Column column = columns.get(index);
        return new IllegalArgumentException("cannot decode column \"" + column.name() + "\" (type " + column.typeName() + ") of "
                + table + ": " + error.getMessage(), error);
    }

    /** The index of the named column, or -1. */
    public int indexOf(String columnName) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(columnName)) {
                return i;
            }
        }
        return -1;
    }
}
