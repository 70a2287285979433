package dev.pgcdc.api.position;

import java.util.Objects;

/**
 * Where an event sits in the change stream: the commit LSN of its transaction and its sequence
 * number inside the stream of that commit. Positions strictly increase along the stream (commit
 * order, then order inside the transaction), which is what acknowledgement tracking and
 * exactly-once replay skipping compare.
 *
 * @param commitLsn LSN of the commit record of the event's transaction (for snapshot rows: the snapshot's consistent point)
 * @param sequence  0-based index of the event among those sharing {@code commitLsn}
 */
public record Position(Lsn commitLsn, long sequence) implements Comparable<Position> {

    public Position {
        Objects.requireNonNull(commitLsn, "commitLsn");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence);
        }
    }

    public boolean isAfter(Position other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Position other) {
        int byLsn = commitLsn.compareTo(other.commitLsn);
        return byLsn != 0 ? byLsn : Long.compare(sequence, other.sequence);
    }

    /** {@code 16/B374D848#3}; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return commitLsn.toString() + '#' + sequence;
    }

    public static Position parse(String text) {
        int hash = text.indexOf('#');
        if (hash < 0) {
            throw new IllegalArgumentException("not a position: \"" + text + "\" (expected LSN#sequence, e.g. 16/B374D848#3)");
        }
        try {
            return new Position(Lsn.parse(text.substring(0, hash)), Long.parseLong(text.substring(hash + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a position: \"" + text + "\" (expected LSN#sequence, e.g. 16/B374D848#3)", e);
        }
    }
}
