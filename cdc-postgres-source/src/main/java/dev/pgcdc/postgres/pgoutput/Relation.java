package dev.pgcdc.postgres.pgoutput;

import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.postgres.types.ValueDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * A table as its last Relation message described it: name, replica identity, columns with their
 * decoders, and which columns form the key. Immutable; the column lists are shared by every row
 * decoded with this shape.
 */
public final class Relation {

    private final int id;
    private final TableId table;
    private final char replicaIdentity;
    private final List<Column> columns;
    private final ValueDecoder[] decoders;
    private final boolean[] keyFlags;
    private final List<Column> keyColumns; // the identity columns pgoutput marked: those of a K old tuple
    private final List<String> keyColumnNames;
    /** Indexes of the event key columns, or null when the table has no key whose change can be told (FULL without a primary key). */
    private final int[] eventKeyIndexes;
    private final boolean captured;

    /**
     * @param eventKey the key column names of its events when not the identity columns pgoutput marks
     *                 (the primary key of a FULL or NOTHING identity table); empty for those marked
     */
    Relation(int id, TableId table, char replicaIdentity, List<Column> columns, ValueDecoder[] decoders, boolean captured,
             List<String> eventKey) {
        this.id = id;
        this.table = table;
        this.replicaIdentity = replicaIdentity;
        this.columns = List.copyOf(columns);
        this.decoders = decoders;
        this.captured = captured;
        this.keyFlags = new boolean[columns.size()];
        List<Column> keys = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).key()) {
                keyFlags[i] = true;
                keys.add(columns.get(i));
                names.add(columns.get(i).name());
            }
        }
        this.keyColumns = List.copyOf(keys);
        List<String> allNames = columnNames(columns);
        boolean primaryKey = !eventKey.isEmpty() && allNames.containsAll(eventKey);
        this.keyColumnNames = primaryKey ? List.copyOf(eventKey) : List.copyOf(names);
        // FULL marks every column: without a primary key no column set identifies the row
        boolean identifying = primaryKey || (replicaIdentity != 'f' && !names.isEmpty());
        this.eventKeyIndexes = identifying ? keyColumnNames.stream().mapToInt(allNames::indexOf).toArray() : null;
    }

    public int id() {
        return id;
    }

    public TableId table() {
        return table;
    }

    /** pgoutput's replica identity letter: d default, n nothing, f full, i index. */
    public char replicaIdentity() {
        return replicaIdentity;
    }

    public List<Column> columns() {
        return columns;
    }

    ValueDecoder decoder(int index) {
        return decoders[index];
    }

    boolean isKey(int index) {
        return keyFlags[index];
    }

    public List<Column> keyColumns() {
        return keyColumns;
    }

    /** The key columns of its events: the marked identity columns, or the primary key of a FULL or NOTHING identity table. */
    public List<String> keyColumnNames() {
        return keyColumnNames;
    }

    /** Indexes of the event key columns in {@link #columns()}, or null when no key identifies the row (FULL identity, no primary key). */
    int[] eventKeyIndexes() {
        return eventKeyIndexes;
    }

    private static List<String> columnNames(List<Column> columns) {
        List<String> names = new ArrayList<>(columns.size());
        for (Column column : columns) {
            names.add(column.name());
        }
        return names;
    }

    /** Whether its changes are emitted (a configured table, not the heartbeat table). */
    public boolean isCaptured() {
        return captured;
    }
}
