package dev.pgcdc.postgres.pgoutput;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.postgres.types.ColumnType;
import dev.pgcdc.postgres.types.TypeRegistry;
import dev.pgcdc.postgres.types.ValueDecoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The relations pgoutput has described, by relation id. A Relation message replaces the entry, so
 * changes after an {@code ALTER TABLE} decode with the new shape. Column decoders are resolved
 * here, once per Relation message, not per row, and so are the columns' facts ({@code NOT NULL},
 * a domain's base, an enum's labels). Replication thread only.
 */
public final class RelationCache {

    private final Map<Integer, Relation> relations = new HashMap<>();
    private final TypeRegistry types;
    private final Predicate<TableId> captured;
    private final PrimaryKeys primaryKeys;
    private final KeyChange keyChange;
    private final NotNullColumns notNullColumns;
    private Relation last;

    /**
     * A cache that keys events by the replica identity columns pgoutput marks, whatever the identity.
     *
     * @param types    resolves column types
     * @param captured which tables' changes are emitted
     */
    public RelationCache(TypeRegistry types, Predicate<TableId> captured) {
        this(types, captured, PrimaryKeys.NONE);
    }

    /**
     * @param types       resolves column types
     * @param captured    which tables' changes are emitted
     * @param primaryKeys the key of events of FULL and NOTHING identity tables (looked up once per Relation message)
     */
    public RelationCache(TypeRegistry types, Predicate<TableId> captured, PrimaryKeys primaryKeys) {
        this(types, captured, primaryKeys, KeyChange.DELETE_CREATE);
    }

    /**
     * @param types       resolves column types
     * @param captured    which tables' changes are emitted
     * @param primaryKeys the key of events of FULL and NOTHING identity tables (looked up once per Relation message)
     * @param keyChange   what an update that changes the key becomes
     */
    public RelationCache(TypeRegistry types, Predicate<TableId> captured, PrimaryKeys primaryKeys, KeyChange keyChange) {
        this(types, captured, primaryKeys, keyChange, NotNullColumns.UNKNOWN);
    }

    /**
     * @param types          resolves column types
     * @param captured       which tables' changes are emitted
     * @param primaryKeys    the key of events of FULL and NOTHING identity tables (looked up once per Relation message)
     * @param keyChange      what an update that changes the key becomes
     * @param notNullColumns the NOT NULL columns of captured tables (looked up once per Relation message), for the columns' facts
     */
    public RelationCache(TypeRegistry types, Predicate<TableId> captured, PrimaryKeys primaryKeys, KeyChange keyChange,
                         NotNullColumns notNullColumns) {
        this.notNullColumns = notNullColumns;
        this.types = types;
        this.captured = captured;
        this.primaryKeys = primaryKeys;
        this.keyChange = keyChange;
    }

    KeyChange keyChange() {
        return keyChange;
    }

    /** Reads a Relation message body (after the type byte and, when streamed, the xid). */
    Relation read(ByteBuffer buffer) {
        int id = buffer.getInt();
        String namespace = ProtocolBuffers.readString(buffer);
        String name = ProtocolBuffers.readString(buffer);
        char identity = (char) buffer.get();
        int count = buffer.getShort();
        TableId table = new TableId(namespace.isEmpty() ? "pg_catalog" : namespace, name);
        boolean isCaptured = captured.test(table);
        Set<String> notNull = isCaptured ? notNullColumns.of(id) : null;
        List<Column> columns = new ArrayList<>(count);
        ValueDecoder[] decoders = new ValueDecoder[count];
        for (int i = 0; i < count; i++) {
            boolean key = (buffer.get() & 1) != 0;
            String column = ProtocolBuffers.readString(buffer);
            int typeOid = buffer.getInt();
            int typeModifier = buffer.getInt();
            ColumnType type = types.resolve(typeOid);
            Boolean columnNotNull = notNull == null ? null : notNull.contains(column);
            columns.add(new Column(column, typeOid, type.name(), typeModifier, key, type.factsOfColumn(columnNotNull)));
            decoders[i] = type.decoder();
        }
        // FULL marks every column as the identity, NOTHING none: the event's key is then the primary key, if any
        List<String> eventKey = isCaptured && (identity == 'f' || identity == 'n') ? primaryKeys.of(id) : List.of();
        Relation relation = new Relation(id, table, identity, columns, decoders, isCaptured, eventKey);
        relations.put(id, relation);
        last = relation;
        return relation;
    }

    /** Reads a Type message body: records the name of a non-built-in type. */
    void readType(ByteBuffer buffer) {
        int oid = buffer.getInt();
        String namespace = ProtocolBuffers.readString(buffer);
        String name = ProtocolBuffers.readString(buffer);
        types.announce(oid, namespace, name);
    }

    /** The relation with id {@code id}; a {@link SourceException} when no Relation message described it. */
    Relation get(int id, Lsn lsn) {
        Relation cached = last;
        if (cached != null && cached.id() == id) {
            return cached;
        }
        Relation relation = relations.get(id);
        if (relation == null) {
            throw new SourceException("pgoutput sent a change for relation id " + Integer.toUnsignedString(id) + " at LSN " + lsn
                    + " without describing it first (no Relation message); the stream is out of order");
        }
        last = relation;
        return relation;
    }

    /** Forgets every relation (a new walsender session describes them again) and the looked-up types. */
    public void clear() {
        relations.clear();
        last = null;
        types.clear();
    }
}
