package dev.pgcdc.api.runtime;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.position.PositionTracker;
import java.util.Arrays;

/**
 * The standard {@link PositionTracker}: a ring of in-flight entries in registration order, each with
 * an acknowledged flag and the LSN that becomes confirmable once it and all earlier entries are
 * acknowledged. Acknowledging the head pops every acknowledged entry after it; an acknowledgement
 * out of order is found from its sequence number when it belongs to the head's transaction, else by
 * binary search.
 *
 * <p>Acknowledged entries wait behind an unacknowledged head, and nothing else bounds them: events
 * that produce no record are acknowledged at once, and records on other partitions become durable
 * while the head's is slow. So that they cannot grow the ring without limit, a full ring first
 * coalesces each run of adjacent acknowledged entries into one entry (the run's last position, its
 * highest checkpoint, its count) and grows only if that freed less than a quarter of it: the ring
 * then holds at most about twice the unacknowledged entries, whatever streams by behind the head.
 *
 * <p>All methods synchronize on this object; each is O(1) amortized (the coalescing pass included)
 * apart from the O(log n) search for out-of-order acknowledgements of later transactions.
 */
public final class OrderedPositionTracker implements PositionTracker {

    private static final int INITIAL_CAPACITY = 1024; // a power of two, as every capacity after it (index masks)

    // all fields guarded by "this"
    private Position[] positions = new Position[INITIAL_CAPACITY]; // an entry's last position
    private boolean[] acknowledged = new boolean[INITIAL_CAPACITY];
    private long[] lsnWhenDone = new long[INITIAL_CAPACITY];
    private int[] registrations = new int[INITIAL_CAPACITY]; // positions the entry stands for (>1 once coalesced)
    private int head;
    private int size;
    private int held; // positions registered and not popped: the sum of registrations over the entries
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
            coalesceAcknowledgedRuns();
            if (size > positions.length - positions.length / 4) {
                grow();
            }
        }
        int slot = index(size);
        positions[slot] = position;
        acknowledged[slot] = false;
        lsnWhenDone[slot] = 0L;
        registrations[slot] = 1;
        size++;
        held++;
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
            return; // already popped or coalesced (duplicate acknowledgement) or never registered: nothing to do
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

    /** Positions registered and not yet confirmed: acknowledged ones still waiting behind an unacknowledged one count. */
    @Override
    public synchronized int inFlight() {
        return held;
    }

    @Override
    public synchronized void reset() {
        Arrays.fill(positions, null);
        head = 0;
        size = 0;
        held = 0;
    }

    /** Entries allocated (for tests of the bound). */
    synchronized int capacity() {
        return positions.length;
    }

    private void popAcknowledgedPrefix() {
        while (size > 0 && acknowledged[head]) {
            long done = lsnWhenDone[head];
            if (done != 0L) {
                confirmed = confirmed.max(Lsn.of(done));
            }
            held -= registrations[head];
            positions[head] = null;
            head = (head + 1) & (positions.length - 1);
            size--;
        }
    }

    /**
     * Merges every acknowledged entry into an acknowledged entry right before it, in place, keeping
     * order: the merged entry keeps the later position (so positions stay sorted and the last one is
     * still the last registered), the higher checkpoint, and both counts. Positions inside a merged
     * run are no longer found: an acknowledgement of one of them is a duplicate anyway.
     */
    private void coalesceAcknowledgedRuns() {
        int kept = 0;
        for (int offset = 0; offset < size; offset++) {
            int from = index(offset);
            int previous = kept > 0 ? index(kept - 1) : -1;
            if (previous >= 0 && acknowledged[from] && acknowledged[previous]) {
                positions[previous] = positions[from];
                if (Long.compareUnsigned(lsnWhenDone[from], lsnWhenDone[previous]) > 0) {
                    lsnWhenDone[previous] = lsnWhenDone[from];
                }
                registrations[previous] += registrations[from];
            } else {
                int into = index(kept);
                positions[into] = positions[from];
                acknowledged[into] = acknowledged[from];
                lsnWhenDone[into] = lsnWhenDone[from];
                registrations[into] = registrations[from];
                kept++;
            }
        }
        for (int offset = kept; offset < size; offset++) {
            positions[index(offset)] = null;
        }
        size = kept;
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
        return (head + offset) & (positions.length - 1); // the capacity is a power of two
    }

    private void grow() {
        int capacity = positions.length * 2;
        Position[] newPositions = new Position[capacity];
        boolean[] newAcknowledged = new boolean[capacity];
        long[] newLsns = new long[capacity];
        int[] newRegistrations = new int[capacity];
        for (int i = 0; i < size; i++) {
            int from = index(i);
            newPositions[i] = positions[from];
            newAcknowledged[i] = acknowledged[from];
            newLsns[i] = lsnWhenDone[from];
            newRegistrations[i] = registrations[from];
        }
        positions = newPositions;
        acknowledged = newAcknowledged;
        lsnWhenDone = newLsns;
        registrations = newRegistrations;
        head = 0;
    }
}
