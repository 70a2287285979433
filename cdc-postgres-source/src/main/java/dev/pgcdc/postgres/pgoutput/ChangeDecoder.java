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
import java.nio.ByteBuffer;
import java.util.List;

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

    void update(ByteBuffer buffer, Lsn lsn, TransactionContext tx) {
        Relation relation = relations.get(buffer.getInt(), lsn);
        if (!relation.isCaptured()) {
            return;
        }
        byte kind = buffer.get();
        Row before = null;
        if (kind == 'K' || kind == 'O') {
            before = oldRow(buffer, relation, kind, lsn);
            kind = buffer.get();
        }
        if (kind != 'N') {
            throw unexpected(kind, "N", lsn, relation);
        }
        Row after = new Row(relation.columns(), readTuple(buffer, relation, false, lsn));
        emit(Operation.UPDATE, relation, before, after, lsn, tx);
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
        emit(Operation.DELETE, relation, oldRow(buffer, relation, kind, lsn), null, lsn, tx);
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
     * A Message body. Transactional messages take the next position of {@code tx}; others (tx null)
     * stand alone at their own LSN and are confirmable at once.
     */
    void message(ByteBuffer buffer, Lsn lsn, TransactionContext tx) {
        boolean transactional = (buffer.get() & MESSAGE_TRANSACTIONAL) != 0;
        Lsn messageLsn = Lsn.of(buffer.getLong());
        String prefix = ProtocolBuffers.readString(buffer);
        byte[] content = new byte[buffer.getInt()];
        buffer.get(content);
        LogicalMessage message = new LogicalMessage(prefix, content, transactional);
        if (tx != null) {
            consumer.accept(new ChangeEvent(Operation.MESSAGE, null, null, null, List.of(), tx.xid, messageLsn, tx.commitLsn, tx.commitTime,
                    tx.nextPosition(), null, message));
        } else {
            consumer.accept(new ChangeEvent(Operation.MESSAGE, null, null, null, List.of(), 0L, messageLsn, messageLsn, java.time.Instant.now(),
                    new Position(messageLsn, 0), null, message));
            consumer.transactionDone(messageLsn);
        }
    }

    private void emit(Operation operation, Relation relation, Row before, Row after, Lsn lsn, TransactionContext tx) {
        consumer.accept(new ChangeEvent(operation, relation.table(), before, after, relation.keyColumnNames(), tx.xid, lsn, tx.commitLsn,
                tx.commitTime, tx.nextPosition(), null, null));
    }

    /** The old row: the whole row for O (FULL identity), the key columns only for K. */
    private Row oldRow(ByteBuffer buffer, Relation relation, byte kind, Lsn lsn) {
        boolean keyOnly = kind == 'K';
        Object[] values = readTuple(buffer, relation, keyOnly, lsn);
        return new Row(keyOnly ? relation.keyColumns() : relation.columns(), values);
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
        int k = 0;
        for (int i = 0; i < count; i++) {
            byte kind = array[p++];
            boolean kept = !keyOnly || relation.isKey(i);
            Object value;
            switch (kind) {
                case 'n' -> value = null;
                case 'u' -> value = UnchangedToast.INSTANCE;
                case 't' -> {
                    int length = (array[p] & 0xFF) << 24 | (array[p + 1] & 0xFF) << 16 | (array[p + 2] & 0xFF) << 8 | (array[p + 3] & 0xFF);
                    p += 4;
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
