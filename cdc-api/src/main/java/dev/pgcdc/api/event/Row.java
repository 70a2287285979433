package dev.pgcdc.api.event;

import dev.pgcdc.api.value.UnchangedToast;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The values of one row image, aligned with its columns. Values are natural Java types:
 * <ul>
 *   <li>{@code bool} {@link Boolean}; {@code int2}/{@code int4} {@link Integer}; {@code int8} {@link Long};
 *       {@code oid} {@link Long}; {@code float4} {@link Float}; {@code float8} {@link Double};</li>
 *   <li>{@code numeric} and {@code money} {@link java.math.BigDecimal} (numeric NaN and infinities as
 *       {@link dev.pgcdc.api.value.SpecialValue});</li>
 *   <li>text types, {@code json}/{@code jsonb}, {@code xml}, enums, network types, bit strings,
 *       ranges, composite and unknown extension types: their text, a {@link String};</li>
 *   <li>{@code bytea} {@code byte[]}; {@code uuid} {@link java.util.UUID};</li>
 *   <li>{@code date} {@link java.time.LocalDate}; {@code time} {@link java.time.LocalTime};
 *       {@code timetz} {@link java.time.OffsetTime}; {@code timestamp} {@link java.time.LocalDateTime};
 *       {@code timestamptz} {@link java.time.Instant}; infinities as {@link dev.pgcdc.api.value.SpecialValue};
 *       {@code interval} {@link dev.pgcdc.api.value.Interval};</li>
 *   <li>arrays an unmodifiable {@link List} of element values (nested lists for more dimensions, {@code null} elements kept);</li>
 *   <li>domains as their base type; SQL NULL {@code null}; an unchanged TOAST value {@link UnchangedToast#INSTANCE}.</li>
 * </ul>
 * A row is immutable once built: the constructor takes ownership of the value array, which the
 * caller must not change afterwards (this saves a copy per event on the hot path).
 */
public final class Row {

    private final List<Column> columns;
    private final Object[] values;

    /**
     * @param columns the row's columns (shared between rows of the same table shape)
     * @param values  one value per column; ownership passes to the row
     */
    public Row(List<Column> columns, Object[] values) {
        this.columns = Objects.requireNonNull(columns, "columns");
        this.values = Objects.requireNonNull(values, "values");
        if (columns.size() != values.length) {
            throw new IllegalArgumentException("row has " + values.length + " values for " + columns.size() + " columns");
        }
    }

    /** A row from column names and values in map order, for tests and user-built events (columns typed {@code text}, none part of the key). */
    public static Row of(Map<String, ?> valuesByName) {
        Column[] columns = new Column[valuesByName.size()];
        Object[] values = new Object[valuesByName.size()];
        int i = 0;
        for (Map.Entry<String, ?> entry : valuesByName.entrySet()) {
            columns[i] = new Column(entry.getKey(), 25, "text", -1, false);
            values[i] = entry.getValue();
            i++;
        }
        return new Row(List.of(columns), values);
    }

    public int size() {
        return values.length;
    }

    public List<Column> columns() {
        return columns;
    }

    public Column column(int index) {
        return columns.get(index);
    }

    public Object value(int index) {
        return values[index];
    }

    /** The value of the named column; {@link IllegalArgumentException} when the row has no such column. */
    public Object value(String columnName) {
        int index = indexOf(columnName);
        if (index < 0) {
            throw new IllegalArgumentException("row has no column \"" + columnName + "\"; columns: " + columnNames());
        }
        return values[index];
    }

    /** Index of the named column, or -1. */
    public int indexOf(String columnName) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(columnName)) {
                return i;
            }
        }
        return -1;
    }

    public boolean isNull(int index) {
        return values[index] == null;
    }

    public boolean isUnchangedToast(int index) {
        return values[index] == UnchangedToast.INSTANCE;
    }

    /** The columns that are part of the key, with their values (an empty row if the table has none). */
    public Row keyColumns() {
        int count = 0;
        for (Column column : columns) {
            if (column.key()) {
                count++;
            }
        }
        if (count == columns.size()) {
            return this;
        }
        Column[] keyColumns = new Column[count];
        Object[] keyValues = new Object[count];
        int k = 0;
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).key()) {
                keyColumns[k] = columns.get(i);
                keyValues[k] = values[i];
                k++;
            }
        }
        return new Row(List.of(keyColumns), keyValues);
    }

    /** Column name to value, in column order (a copy; for tests and tooling, not the hot path). */
    public Map<String, Object> asMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            map.put(columns.get(i).name(), values[i]);
        }
        return Collections.unmodifiableMap(map);
    }

    private List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Row row)) {
            return false;
        }
        return columns.equals(row.columns) && Arrays.deepEquals(values, row.values);
    }

    @Override
    public int hashCode() {
        return 31 * columns.hashCode() + Arrays.deepHashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                text.append(", ");
            }
            Object value = values[i];
            text.append(columns.get(i).name()).append('=').append(value instanceof byte[] bytes ? Arrays.toString(bytes) : value);
        }
        return text.append('}').toString();
    }
}
