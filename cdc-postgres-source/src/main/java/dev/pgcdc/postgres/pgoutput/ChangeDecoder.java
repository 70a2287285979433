package dev.pgcdc.postgres.pgoutput;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.LogicalMessage;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TruncateOptions;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.value.UnchangedToast;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Decodes the bodies of Insert, Update, Delete, Truncate and Message into {@link ChangeEvent}s of a
 * transaction, straight from the message bytes. Changes of relations that are not captured are
 * read past and dropped; they take no position.
 */
final class ChangeDecoder {

    private static final int TRUNCATE_CASCADE = 1;
    private static final int TRUNCATE_RESTART_IDENTITY = 2;
    private static final int MESSAGE_TRANSACTIONAL = 1;

    private final RelationCache relations;
    private final ChangeConsumer consumer;

    ChangeDecoder(RelationCache relations, ChangeConsumer consumer) {
        this.relations = relations;
        this.consumer = consumer;
    }

    void insert(ByteBuffer buffer, Lsn lsn, TransactionContext tx) {
        Relation relation = relations.get(buffer.getInt(), lsn);
        expect(buffer, 'N', lsn, relation);
        if (!relation.isCaptured()) {
            return;
        }
        Row after = new Row(relation.columns(), readTuple(buffer, relation, false, lsn));
        emit(Operation.INSERT, relation, null, after, lsn, tx);
    }

    /**
     * An Update. Under FULL identity the old tuple holds every value, so a TOAST value the update
     * left unchanged (sent as a placeholder in the new tuple) is taken from it. An update that
     * changes the key becomes a DELETE of the old key and an INSERT of the new row when
     * {@link KeyChange#DELETE_CREATE} is configured.
     */
    void update(ByteBuffer buffer, Lsn lsn, TransactionContext tx) {
        Relation relation = relations.get(buffer.getInt(), lsn);
        if (!relation.isCaptured()) {
            return;
        }
        byte kind = buffer.get();
        byte oldKind = 0;
        Object[] oldValues = null;
        if (kind == 'K' || kind == 'O') {
            oldKind = kind;
            oldValues = readTuple(buffer, relation, kind == 'K', lsn);
            kind = buffer.get();
        }
        if (kind != 'N') {
            throw unexpected(kind, "N", lsn, relation);
        }
        Object[] newValues = readTuple(buffer, relation, false, lsn);
        if (oldValues != null) {
            fillUnchangedToast(relation, oldKind == 'K', oldValues, newValues);
        }
        Row before = oldValues == null ? null : new Row(oldKind == 'K' ? relation.keyColumns() : relation.columns(), oldValues);
        Row after = new Row(relation.columns(), newValues);
        if (before != null && relations.keyChange() == KeyChange.DELETE_CREATE && keyChanged(relation, oldKind == 'K', oldValues, newValues)) {
            emit(Operation.DELETE, relation, before, null, lsn, tx);
            emit(Operation.INSERT, relation, null, after, lsn, tx);
            return;
        }
        emit(Operation.UPDATE, relation, before, after, lsn, tx);
    }

    /**
     * Replaces unchanged-TOAST placeholders of the new tuple by the old tuple's value where it has
     * one: every column under FULL identity ({@code O}), the identity columns of a {@code K} tuple.
     */
    private static void fillUnchangedToast(Relation relation, boolean keyOnly, Object[] oldValues, Object[] newValues) {
        int k = 0;
        for (int i = 0; i < newValues.length; i++) {
            if (keyOnly && !relation.isKey(i)) {
                continue;
            }
            Object old = oldValues[keyOnly ? k++ : i];
            if (newValues[i] == UnchangedToast.INSTANCE && old != UnchangedToast.INSTANCE) {
                newValues[i] = old;
            }
        }
    }

    /** Whether the event key's values differ between the old and the new tuple (false when the table has no identifying key). */
    private static boolean keyChanged(Relation relation, boolean keyOnly, Object[] oldValues, Object[] newValues) {
        int[] keyIndexes = relation.eventKeyIndexes();
        if (keyIndexes == null) {
            return false;
        }
        List<Column> keyColumns = relation.keyColumns();
        for (int index : keyIndexes) {
            Object old;
            if (keyOnly) {
                int k = keyColumns.indexOf(relation.columns().get(index));
                if (k < 0) {
                    return false; // the K tuple does not hold this key column: nothing to compare
                }
                old = oldValues[k];
            } else {
                old = oldValues[index];
            }
            Object now = newValues[index];
            if (old != UnchangedToast.INSTANCE && now != UnchangedToast.INSTANCE && !sameValue(old, now)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameValue(Object a, Object b) {
        if (a instanceof List<?> left && b instanceof List<?> right) {
            if (left.size() != right.size()) {
                return false;
            }
            for (int i = 0; i < left.size(); i++) {
                if (!sameValue(left.get(i), right.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.deepEquals(a, b);
    }

    void delete(ByteBuffer buffer, Lsn lsn, TransactionContext tx) {
        Relation relation = relations.get(buffer.getInt(), lsn);
        if (!relation.isCaptured()) {
            return;
        }
        byte kind = buffer.get();
        if (kind != 'K' && kind != 'O') {
            throw unexpected(kind, "K or O", lsn, relation);
        }
        boolean keyOnly = kind == 'K';
        Row before = new Row(keyOnly ? relation.keyColumns() : relation.columns(), readTuple(buffer, relation, keyOnly, lsn));
        emit(Operation.DELETE, relation, before, null, lsn, tx);
    }

    void truncate(ByteBuffer buffer, Lsn lsn, TransactionContext tx) {
        int count = buffer.getInt();
        int options = buffer.get();
        TruncateOptions truncateOptions = new TruncateOptions((options & TRUNCATE_CASCADE) != 0, (options & TRUNCATE_RESTART_IDENTITY) != 0);
        for (int i = 0; i < count; i++) {
            Relation relation = relations.get(buffer.getInt(), lsn);
            if (relation.isCaptured()) {
                consumer.accept(new ChangeEvent(Operation.TRUNCATE, relation.table(), null, null, relation.keyColumnNames(), tx.xid, lsn,
                        tx.commitLsn, tx.commitTime, tx.nextPosition(), truncateOptions, null));
            }
        }
    }

    /**
     * A Message body. Transactional messages take the next position of {@code tx}. Others (tx
     * null) stand alone and are confirmable at once: their LSN (the end of the message record) is
     * returned. A non-transactional message is sent when decoded, before the Begin of the
     * transaction that emitted it, whose commit record may start exactly at that LSN; so its
     * position is the LSN just below: above every earlier commit (whose record ends before the
     * message's starts), below every later one, and the same when the message is sent again.
     *
     * @return the LSN to confirm after a non-transactional message, null for a transactional one
     */
    Lsn message(ByteBuffer buffer, Lsn lsn, TransactionContext tx) {
        boolean transactional = (buffer.get() & MESSAGE_TRANSACTIONAL) != 0;
        Lsn messageLsn = Lsn.of(buffer.getLong());
        String prefix = ProtocolBuffers.readString(buffer);
        int length = buffer.getInt();
        if (length < 0 || length > buffer.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] content = new byte[length];
        buffer.get(content);
        LogicalMessage message = new LogicalMessage(prefix, content, transactional);
        if (tx != null) {
            consumer.accept(new ChangeEvent(Operation.MESSAGE, null, null, null, List.of(), tx.xid, messageLsn, tx.commitLsn, tx.commitTime,
                    tx.nextPosition(), null, message));
            return null;
        }
        if (messageLsn.value() <= 0) {
            throw new IllegalArgumentException("non-transactional message without an LSN");
        }
        Lsn positionLsn = Lsn.of(messageLsn.value() - 1);
        consumer.accept(new ChangeEvent(Operation.MESSAGE, null, null, null, List.of(), 0L, messageLsn, positionLsn, Instant.now(),
                new Position(positionLsn, 0), null, message));
        return messageLsn;
    }

    private void emit(Operation operation, Relation relation, Row before, Row after, Lsn lsn, TransactionContext tx) {
        consumer.accept(new ChangeEvent(operation, relation.table(), before, after, relation.keyColumnNames(), tx.xid, lsn, tx.commitLsn,
                tx.commitTime, tx.nextPosition(), null, null));
    }

    /**
     * TupleData: Int16 column count, then per column n (null), u (unchanged TOAST), t (Int32 length +
     * text) or b (binary, never asked for). With {@code keyOnly}, only key columns are decoded and kept.
     */
    private Object[] readTuple(ByteBuffer buffer, Relation relation, boolean keyOnly, Lsn lsn) {
        int count = buffer.getShort();
        List<Column> columns = relation.columns();
        if (count != columns.size()) {
            throw new SourceException("cannot decode a row of " + relation.table() + " at LSN " + lsn + ": it has " + count
                    + " columns, its Relation message " + columns.size());
        }
        Object[] values = new Object[keyOnly ? relation.keyColumns().size() : count];
        byte[] array = buffer.array();
        int base = buffer.arrayOffset();
        int p = base + buffer.position();
        int end = base + buffer.limit();
        int k = 0;
        for (int i = 0; i < count; i++) {
            if (p >= end) {
                throw new BufferUnderflowException();
            }
            byte kind = array[p++];
            boolean kept = !keyOnly || relation.isKey(i);
            Object value;
            switch (kind) {
                case 'n' -> value = null;
                case 'u' -> value = UnchangedToast.INSTANCE;
                case 't' -> {
                    if (end - p < 4) {
                        throw new BufferUnderflowException();
                    }
                    int length = (array[p] & 0xFF) << 24 | (array[p + 1] & 0xFF) << 16 | (array[p + 2] & 0xFF) << 8 | (array[p + 3] & 0xFF);
                    p += 4;
                    if (length < 0 || end - p < length) {
                        throw new BufferUnderflowException();
                    }
                    value = kept ? decodeValue(array, p, length, relation, i, lsn) : null;
                    p += length;
                }
                default -> throw new SourceException("cannot decode column \"" + columns.get(i).name() + "\" of " + relation.table() + " at LSN "
                        + lsn + ": unexpected tuple data kind '" + (char) kind + "' (the source asks for text format only)");
            }
            if (kept) {
                values[k++] = value;
            }
        }
        buffer.position(p - base);
        return values;
    }

    private static Object decodeValue(byte[] array, int offset, int length, Relation relation, int column, Lsn lsn) {
        try {
            return relation.decoder(column).decode(array, offset, length);
        } catch (RuntimeException e) {
            Column described = relation.columns().get(column);
            throw new SourceException("cannot decode column \"" + described.name() + "\" (type " + described.typeName() + ", OID "
                    + Integer.toUnsignedString(described.typeOid()) + ") of " + relation.table() + " at LSN " + lsn + ": " + e.getMessage(), e);
        }
    }

    private static void expect(ByteBuffer buffer, char expected, Lsn lsn, Relation relation) {
        byte kind = buffer.get();
        if (kind != expected) {
            throw unexpected(kind, String.valueOf(expected), lsn, relation);
        }
    }

    private static SourceException unexpected(byte kind, String expected, Lsn lsn, Relation relation) {
        return new SourceException("cannot decode a change of " + relation.table() + " at LSN " + lsn + ": expected tuple marker " + expected
                + ", found '" + (char) kind + "'");
    }
}
