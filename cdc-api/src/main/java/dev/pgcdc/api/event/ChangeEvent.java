package dev.pgcdc.api.event;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import java.time.Instant;
import java.util.Objects;

/**
 * One change, as a source reports it: what happened ({@link #operation}), to which table, the row
 * images, and where it sits in the stream. Immutable; created by a source on its own thread and
 * then read by the handler and the sink, possibly on other threads.
 *
 * <p>Which fields are set depends on the operation:
 * <ul>
 *   <li>{@code INSERT}, {@code READ}: {@code after};</li>
 *   <li>{@code UPDATE}: {@code after}, and {@code before} when the table's replica identity sent an
 *       old image (FULL: the whole old row; DEFAULT or USING INDEX: the old key, only when the key changed);</li>
 *   <li>{@code DELETE}: {@code before} (FULL: the whole row; otherwise the key columns);</li>
 *   <li>{@code TRUNCATE}: {@code truncateOptions}, one event per truncated table;</li>
 *   <li>{@code MESSAGE}: {@code message}; {@code table} is {@code null}.</li>
 * </ul>
 *
 * @param operation       what happened
 * @param table           the table (for a partition published via its root: the root), null for messages
 * @param before          the old row image or null
 * @param after           the new row image or null
 * @param keyColumns      the table's key column names (replica identity), possibly empty; what the default key is built from
 * @param transactionId   the PostgreSQL transaction id, 0 when unknown (snapshot rows)
 * @param lsn             the WAL location of this change (snapshot rows: the consistent point)
 * @param commitLsn       the commit LSN of its transaction
 * @param commitTime      the commit time of its transaction (snapshot rows: when the snapshot started)
 * @param position        the event's strictly increasing stream position
 * @param truncateOptions set for TRUNCATE only
 * @param message         set for MESSAGE only
 */
public record ChangeEvent(
        Operation operation,
        TableId table,
        Row before,
        Row after,
        java.util.List<String> keyColumns,
        long transactionId,
        Lsn lsn,
        Lsn commitLsn,
        Instant commitTime,
        Position position,
        TruncateOptions truncateOptions,
        LogicalMessage message) {

    public ChangeEvent {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(keyColumns, "keyColumns");
        Objects.requireNonNull(lsn, "lsn");
        Objects.requireNonNull(commitLsn, "commitLsn");
        Objects.requireNonNull(commitTime, "commitTime");
        Objects.requireNonNull(position, "position");
        switch (operation) {
            case INSERT, READ -> require(table != null && after != null, operation, "a table and an after image");
            case UPDATE -> require(table != null && after != null, operation, "a table and an after image");
            case DELETE -> require(table != null && before != null, operation, "a table and a before image");
            case TRUNCATE -> require(table != null && truncateOptions != null, operation, "a table and truncate options");
            case MESSAGE -> require(message != null, operation, "a message");
            default -> throw new IllegalArgumentException("unknown operation " + operation);
        }
    }

    private static void require(boolean holds, Operation operation, String what) {
        if (!holds) {
            throw new IllegalArgumentException(operation + " event needs " + what);
        }
    }

    /** Whether the event is a snapshot row. */
    public boolean isSnapshot() {
        return operation == Operation.READ;
    }

    /** The image that identifies the row: {@code after} for inserts, updates and reads, {@code before} for deletes. */
    public Row identifyingRow() {
        return after != null ? after : before;
    }

    public static Builder builder(Operation operation) {
        return new Builder(operation);
    }

    /** Builds events outside a source (tests, user sources); unset positions default to {@code 0/0#0}. */
    public static final class Builder {
        private final Operation operation;
        private TableId table;
        private Row before;
        private Row after;
        private java.util.List<String> keyColumns = java.util.List.of();
        private long transactionId;
        private Lsn lsn = Lsn.INVALID;
        private Lsn commitLsn = Lsn.INVALID;
        private Instant commitTime = Instant.EPOCH;
        private Position position;
        private TruncateOptions truncateOptions;
        private LogicalMessage message;

        private Builder(Operation operation) {
            this.operation = Objects.requireNonNull(operation, "operation");
        }

        public Builder table(TableId value) {
            this.table = value;
            return this;
        }

        public Builder before(Row value) {
            this.before = value;
            return this;
        }

        public Builder after(Row value) {
            this.after = value;
            return this;
        }

        public Builder keyColumns(java.util.List<String> value) {
            this.keyColumns = java.util.List.copyOf(value);
            return this;
        }

        public Builder transactionId(long value) {
            this.transactionId = value;
            return this;
        }

        public Builder lsn(Lsn value) {
            this.lsn = value;
            return this;
        }

        public Builder commitLsn(Lsn value) {
            this.commitLsn = value;
            return this;
        }

        public Builder commitTime(Instant value) {
            this.commitTime = value;
            return this;
        }

        public Builder position(Position value) {
            this.position = value;
            return this;
        }

        public Builder truncateOptions(TruncateOptions value) {
            this.truncateOptions = value;
            return this;
        }

        public Builder message(LogicalMessage value) {
            this.message = value;
            return this;
        }

        public ChangeEvent build() {
            Position effective = position != null ? position : new Position(commitLsn, 0);
            return new ChangeEvent(operation, table, before, after, keyColumns, transactionId, lsn, commitLsn, commitTime,
                    effective, truncateOptions, message);
        }
    }
}
