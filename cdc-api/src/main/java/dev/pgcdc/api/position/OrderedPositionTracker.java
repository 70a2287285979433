package dev.pgcdc.api.position;

import java.util.Arrays;

/**
 * The standard {@link PositionTracker}: a ring of in-flight entries in registration order, each with
 * an acknowledged flag and the LSN that becomes confirmable once it and all earlier entries are
 * acknowledged. Acknowledging the head pops every acknowledged entry after it; an acknowledgement
 * out of order is found from its sequence number when it belongs to the head's transaction, else by
 * binary search. All methods synchronize on this object; each is O(1) amortized apart from the
 * O(log n) search for out-of-order acknowledgements of later transactions.
 */
public final class OrderedPositionTracker implements PositionTracker {

    private static final int INITIAL_CAPACITY = 1024;

    // all fields guarded by "this"
    private Position[] positions = new Position[INITIAL_CAPACITY];
    private boolean[] acknowledged = new boolean[INITIAL_CAPACITY];
    private long[] lsnWhenDone = new long[INITIAL_CAPACITY];
    private int head;
    private int size;
    private Lsn confirmed;

    public OrderedPositionTracker() {
        this(Lsn.INVALID);
    }

    /** Starts with {@code alreadyConfirmed} as the confirmed LSN (e.g. the slot's confirmed_flush_lsn). */
    public OrderedPositionTracker(Lsn alreadyConfirmed) {
        this.confirmed = alreadyConfirmed;
    }

    @Override
    public synchronized void register(Position position) {
        if (size > 0) {
            Position last = positions[index(size - 1)];
            if (!position.isAfter(last)) {
                throw new IllegalStateException("position " + position + " registered after " + last + "; positions must strictly increase");
            }
        }
        if (size == positions.length) {
            grow();
        }
        int slot = index(size);
        positions[slot] = position;
        acknowledged[slot] = false;
        lsnWhenDone[slot] = 0L;
        size++;
    }

    @Override
    public synchronized void checkpoint(Lsn lsn) {
        if (size == 0) {
            confirmed = confirmed.max(lsn);
            return;
        }
        int tail = index(size - 1);
        if (Long.compareUnsigned(lsn.value(), lsnWhenDone[tail]) > 0) {
            lsnWhenDone[tail] = lsn.value();
        }
    }

    @Override
    public synchronized void acknowledge(Position position) {
        int offset = find(position);
        if (offset < 0) {
            return; // already popped (duplicate acknowledgement) or never registered: nothing to do
        }
        acknowledged[index(offset)] = true;
        if (offset == 0) {
            popAcknowledgedPrefix();
        }
    }

    @Override
    public synchronized Lsn confirmedLsn() {
        return confirmed;
    }

    @Override
    public synchronized int inFlight() {
        return size;
    }

    @Override
    public synchronized void reset() {
        Arrays.fill(positions, null);
        head = 0;
        size = 0;
    }

    private void popAcknowledgedPrefix() {
        while (size > 0 && acknowledged[head]) {
            long done = lsnWhenDone[head];
            if (done != 0L) {
                confirmed = confirmed.max(Lsn.of(done));
            }
            positions[head] = null;
            head = (head + 1) % positions.length;
            size--;
        }
    }

    /** Offset from head of the entry holding {@code position}, or -1. */
    private int find(Position position) {
        if (size == 0) {
            return -1;
        }
        // The common case, found without a search: the events of one transaction are registered
        // with consecutive sequence numbers, so the offset is the distance from the head's sequence.
        Position first = positions[head];
        if (first.commitLsn().equals(position.commitLsn())) {
            long guess = position.sequence() - first.sequence();
            if (guess >= 0 && guess < size && positions[index((int) guess)].equals(position)) {
                return (int) guess;
            }
        }
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int cmp = positions[index(mid)].compareTo(position);
            if (cmp < 0) {
                low = mid + 1;
            } else if (cmp > 0) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    private int index(int offset) {
        return (head + offset) % positions.length;
    }

    private void grow() {
        int capacity = positions.length * 2;
        Position[] newPositions = new Position[capacity];
        boolean[] newAcknowledged = new boolean[capacity];
        long[] newLsns = new long[capacity];
        for (int i = 0; i < size; i++) {
            int from = index(i);
            newPositions[i] = positions[from];
            newAcknowledged[i] = acknowledged[from];
            newLsns[i] = lsnWhenDone[from];
        }
        positions = newPositions;
        acknowledged = newAcknowledged;
        lsnWhenDone = newLsns;
        head = 0;
    }
}
