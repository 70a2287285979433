package dev.pgcdc.postgres.replication;

import dev.pgcdc.api.event.ChangeEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue between the reader thread and the poll thread: decoded events in stream order,
 * with a marker after the last event of each transaction, so the poll side knows whether the events
 * it handed out end with a complete transaction. Bounded by event count (markers follow events, so
 * there are never more markers than events) and by the events' estimated bytes ({@link EventBytes}), so
 * wide rows do not fill the heap before the count is reached; an empty hand-off takes an event of any
 * size. The reader waits for room instead of reading on. A failure of the reader is delivered to the
 * poll side after the events queued before it.
 *
 * <p>Threading: {@link #offer}, {@link #endTransaction}, {@link #awaitRoom} and {@link #fail} from
 * the reader thread; {@link #take} and {@link #isBetweenTransactions} from the poll thread;
 * {@link #close} from any. All state is guarded by {@code lock}.
 */
final class EventHandOff {

    /** Stands after the last event of a transaction (or of a non-transactional message). */
    private static final Object END_OF_TRANSACTION = new Object();

    private final int capacity;
    private final long capacityBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<Object> items = new ArrayDeque<>();
    private int events;
    /** The estimated bytes of the events queued ({@link EventBytes#estimate}). */
    private long bytes;
    /** Whether the last item offered is an event: a marker is only needed after one. */
    private boolean openAtTail;
    /** Whether the events taken so far end inside a transaction (its marker not taken yet). */
    private boolean openTaken;
    /**
     * Set when {@link #isBetweenTransactions} answered no (the owner is stopping and finishes the open
     * transaction): {@link #take} then ends at the next transaction end instead of starting another.
     */
    private boolean finishing;
    private Throwable failure;
    private boolean closed;

    EventHandOff(int capacity, long capacityBytes) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        if (capacityBytes < 1) {
            throw new IllegalArgumentException("capacityBytes must be at least 1, was " + capacityBytes);
        }
        this.capacity = capacity;
        this.capacityBytes = capacityBytes;
    }

    /** Room for this many more events. Reader thread. */
    int room() {
        lock.lock();
        try {
            return capacity - events;
        } finally {
            lock.unlock();
        }
    }

    /** Estimated bytes that may still be offered; an event fits while this is positive. Reader thread. */
    long byteRoom() {
        lock.lock();
        try {
            return capacityBytes - bytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds events in order, with their estimated bytes in all; the caller checked {@link #room()} and
     * {@link #byteRoom()} first. Reader thread.
     */
    void offer(List<Object> batch, long batchBytes) {
        if (batch.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            bytes += batchBytes;
            for (Object item : batch) {
                if (item == END_OF_TRANSACTION) {
                    if (!openAtTail) {
                        continue;
                    }
                    openAtTail = false;
                } else {
                    events++;
                    openAtTail = true;
                }
                items.add(item);
            }
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The item that marks a transaction's end in a batch given to {@link #offer}. */
    static Object endOfTransaction() {
        return END_OF_TRANSACTION;
    }

    /** Waits until there is room for an event, the hand-off is closed, or {@code nanos} passed. Reader thread. */
    void awaitRoom(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long remaining = nanos;
            while ((events >= capacity || bytes >= capacityBytes) && !closed && remaining > 0) {
                remaining = notFull.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The reader failed: {@link #take} throws it once the events queued before it are taken. */
    void fail(Throwable cause) {
        lock.lock();
        try {
            failure = cause;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes both sides for good: the reader stops waiting for room, takers stop waiting for events. */
    void close() {
        lock.lock();
        try {
            closed = true;
            notFull.signalAll();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes up to {@code max} events, waiting up to {@code timeoutNanos} for the first one, and the
     * end-of-transaction markers that follow them. Poll thread.
     *
     * @throws ReaderFailedException the reader's failure, once every event queued before it is taken
     */
    List<ChangeEvent> take(int max, long timeoutNanos) throws InterruptedException, ReaderFailedException {
        lock.lockInterruptibly();
        try {
            long remaining = timeoutNanos;
            while (events == 0 && failure == null && !closed && remaining > 0) {
                remaining = notEmpty.awaitNanos(remaining);
            }
            if (events == 0 && failure != null) {
                takeMarkers();
                throw new ReaderFailedException(failure);
            }
            List<ChangeEvent> out = new ArrayList<>(Math.min(max, events));
            while (out.size() < max && !items.isEmpty()) {
                Object item = items.poll();
                if (item == END_OF_TRANSACTION) {
                    openTaken = false;
                    if (finishing) {
                        break;
                    }
                } else {
                    ChangeEvent event = (ChangeEvent) item;
                    out.add(event);
                    events--;
                    bytes -= EventBytes.estimate(event);
                    openTaken = true;
                }
            }
            takeMarkers();
            if (!out.isEmpty()) {
                notFull.signal();
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the events taken so far end with a complete transaction (see {@link #take}). When not,
     * later takes stop at the end of the open transaction, so an owner that polls until this holds
     * (on a stop) finishes that transaction without starting the next. Poll thread.
     */
    boolean isBetweenTransactions() {
        lock.lock();
        try {
            takeMarkers();
            finishing = openTaken;
            return !openTaken;
        } finally {
            lock.unlock();
        }
    }

    /** Whether every event offered has been taken. */
    boolean isDrained() {
        lock.lock();
        try {
            return events == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Events waiting to be taken. Any thread. */
    int size() {
        lock.lock();
        try {
            return events;
        } finally {
            lock.unlock();
        }
    }

    private void takeMarkers() {
        while (items.peek() == END_OF_TRANSACTION) {
            items.poll();
            openTaken = false;
        }
    }

    /** Carries the reader thread's failure to the poll thread. */
    static final class ReaderFailedException extends Exception {

        private static final long serialVersionUID = 1L;

        ReaderFailedException(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
