package dev.pgcdc.postgres.replication;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.position.PositionTracker;
import dev.pgcdc.postgres.connection.ConnectionFailures;
import dev.pgcdc.postgres.pgoutput.ChangeConsumer;
import dev.pgcdc.postgres.pgoutput.PgoutputDecoder;
import dev.pgcdc.postgres.pgoutput.RelationCache;
import dev.pgcdc.postgres.pgoutput.StreamedTransactions;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the replication stream on a thread of its own ({@code pgcdc-source-<slot>}), which owns the
 * replication connection: it reads and decodes messages, registers each event's position with the
 * {@link PositionTracker} in stream order and marks transaction ends as checkpoints, hands the events
 * to {@link #poll} through a bounded {@link EventHandOff}, sends standby status updates every status
 * interval, and reconnects with backoff when the connection is lost. The poll thread only takes
 * events, so a consumer that blocks (a sink waiting for Kafka, a slow handler) never holds up status
 * updates: when the hand-off is full the reader stops reading (memory stays flat) but keeps sending
 * status updates, and the walsender keeps the connection however long the consumer takes.
 *
 * <p><b>Feedback.</b> The flushed LSN reported is {@link PositionTracker#confirmedLsn()}, and nothing
 * else ever is: pgjdbc's automatic flush is off (see {@link PgWalStreamOpener}), so when pgjdbc answers
 * a keepalive that asks for a reply, it answers with the confirmed LSN of the last status update. An
 * event waiting in the hand-off is registered but not acknowledged, so it holds the confirmed LSN back
 * like one in the pipeline. When no transaction is open and nothing decoded waits to be registered,
 * the position of the last message or keepalive received is checkpointed too: every transaction
 * committed before it has been registered already, so idle slots and slots whose tables are quiet
 * while others are busy keep advancing.
 *
 * <p><b>Reconnect.</b> After a lost connection (including a terminated walsender) the tracker keeps
 * its in-flight positions: the pipeline (or the hand-off) still holds those events and they will be
 * acknowledged, never dropped. The stream restarts at the confirmed LSN, so the server sends again
 * every transaction from the first unacknowledged one on; events at or before the last position
 * registered are skipped, because they are already on their way. Positions are deterministic (commit
 * LSN, index among the transaction's emitted events), so a re-sent event has the position it had.
 * The result: no event lost, none emitted twice by one source instance; after a process restart,
 * the unacknowledged tail is sent again (at-least-once). Decoded-but-not-registered events and
 * partly received streamed transactions are dropped at the break and come again with the re-sent
 * stream.
 *
 * <p><b>Threading.</b> {@link #start}, {@link #poll}, {@link #isBetweenTransactions} and {@link #close}
 * from the owner's (poll) thread; {@link #isConnected}, {@link #reconnects} and {@link #bufferedEvents}
 * from any. Everything else, the decoder and {@code periodicWork} included, runs on the reader thread.
 * A failure there (a decode error, a permanent connection error) ends the thread and is thrown from
 * {@code poll} as a {@link SourceException} once the events before it are taken.
 */
public final class ReplicationReader implements ChangeConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationReader.class);
    /**
     * Events decoded ahead of the consumer. Enough to hand a poll of a thousand events out at once
     * while the reader decodes the next ones, small enough to keep memory flat (a few MB of events).
     */
    public static final int HAND_OFF_EVENTS = 2048;
    /**
     * And their estimated bytes ({@link EventBytes}): rows of a few KB or more reach this before the
     * count, so the hand-off holds a few MB of them however wide they are, within the launcher's heap.
     */
    public static final long HAND_OFF_BYTES = 4L << 20;
    /** Messages decoded (or replayed) between two transfers to the hand-off: one lock per batch, not per event. */
    private static final int READ_BATCH = 256;
    private static final long SHORT_IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long LONG_IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** How long closing reads on for the Commit of a transaction whose events were all taken. */
    private static final long CLOSE_COMMIT_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /**
     * How long close() waits for the reader thread to send its last status update and end the stream;
     * covers a catalog look-up or heartbeat in progress (bounded by the catalog connection's timeouts).
     */
    private static final long CLOSE_JOIN_MILLIS = TimeUnit.SECONDS.toMillis(40);
    /** Empty reads in a row after which the stream counts as idle and is checked less often. */
    private static final int IDLE_AFTER_EMPTY_READS = 50;

    private final WalStreamOpener opener;
    private final PositionTracker tracker;
    private final PgoutputDecoder decoder;
    private final long statusIntervalNanos;
    private final Backoff backoff;
    private final String slotName;
    private final Runnable periodicWork;
    private final EventHandOff handOff;
    private final StreamedTransactions streams;

    // reader thread only (the poll thread before start)
    /** Decoded, not yet registered: {@link ChangeEvent}s and, as {@link Lsn}s, transaction ends. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private final List<Object> batch = new ArrayList<>();
    private WalStream stream;
    private long lastStatusNanos;
    private long nextConnectNanos;
    private Position lastRegistered;
    /** After a reconnect: positions up to here were registered before the break and are skipped. */
    private Position skipThrough;
    private int emptyReads;

    private Thread thread;
    private volatile boolean stopping;
    private volatile long reconnects;
    private volatile boolean connected;

    /**
     * @param periodicWork runs on the reader thread once per loop (e.g. a heartbeat that checks its own interval); must be
     *                     bounded in time, as status updates wait for it
     */
    public ReplicationReader(String slotName, WalStreamOpener opener, PositionTracker tracker, RelationCache relations,
            StreamedTransactions streams, Duration statusInterval, Duration reconnectBackoff, Duration reconnectMaxBackoff,
            Runnable periodicWork) {
        this(slotName, opener, tracker, relations, streams, statusInterval, reconnectBackoff, reconnectMaxBackoff, periodicWork,
                HAND_OFF_EVENTS, HAND_OFF_BYTES);
    }

    ReplicationReader(String slotName, WalStreamOpener opener, PositionTracker tracker, RelationCache relations, StreamedTransactions streams,
            Duration statusInterval, Duration reconnectBackoff, Duration reconnectMaxBackoff, Runnable periodicWork, int handOffEvents,
            long handOffBytes) {
        this.slotName = slotName;
        this.opener = opener;
        this.tracker = tracker;
        this.streams = streams;
        this.decoder = new PgoutputDecoder(relations, streams, this);
        this.statusIntervalNanos = statusInterval.toNanos();
        this.backoff = new Backoff(reconnectBackoff, reconnectMaxBackoff);
        this.periodicWork = periodicWork;
        this.handOff = new EventHandOff(handOffEvents, handOffBytes);
    }

    /**
     * Starts the stream at the tracker's confirmed LSN (or the slot's position when it has none) on
     * the calling thread, so a failure to start is thrown here, then starts the reader thread. Once
     * the stream runs, this instance holds the slot, so spill files of the slot left by an earlier
     * holder (killed while spilling) are deleted, before anything is read: never earlier, as another
     * instance may be streaming the slot until then and its files are its own.
     *
     * @throws dev.pgcdc.postgres.slot.SlotInUseException when another walsender holds the slot; start may be tried again
     */
    public void start() {
        if (thread != null) {
            throw new IllegalStateException("the reader of slot " + slotName + " is already started");
        }
        try {
            openStream();
        } catch (SQLException e) {
            throw new SourceException("cannot start replication from slot \"" + slotName + "\": " + e.getMessage(), e);
        }
        streams.deleteLeftovers();
        thread = new Thread(this::run, "pgcdc-source-" + slotName);
        thread.setDaemon(true);
        thread.start();
    }

    /** See {@link dev.pgcdc.api.source.ChangeSource#poll}: takes decoded events from the reader thread. */
    public List<ChangeEvent> poll(int maxEvents, Duration timeout) throws InterruptedException {
        try {
            return handOff.take(maxEvents, timeout.toNanos());
        } catch (EventHandOff.ReaderFailedException e) {
            Throwable cause = e.getCause();
            String message = cause instanceof SourceException ? cause.getMessage()
                    : "replication from slot \"" + slotName + "\" failed: " + cause;
            throw new SourceException(message, cause);
        }
    }

    /** See {@link dev.pgcdc.api.source.ChangeSource#isBetweenTransactions()}. Poll thread. */
    public boolean isBetweenTransactions() {
        return handOff.isBetweenTransactions();
    }

    /**
     * Stops the reader thread: it sends a last status update with the confirmed LSN and ends the
     * stream cleanly, so the server has it before the connection closes. Waits for that (bounded).
     */
    public void close() {
        stopping = true;
        handOff.close();
        Thread reader = thread;
        if (reader == null) {
            if (stream != null) {
                stream.close();
                stream = null;
            }
            return;
        }
        LockSupport.unpark(reader);
        try {
            reader.join(CLOSE_JOIN_MILLIS);
            if (reader.isAlive()) {
                LOG.warn("the reader thread of slot {} did not stop within {} s; interrupting it", slotName, CLOSE_JOIN_MILLIS / 1000);
                reader.interrupt();
                reader.join(TimeUnit.SECONDS.toMillis(2));
            }
        } catch (InterruptedException e) {
            reader.interrupt();
            Thread.currentThread().interrupt();
        }
    }

    public boolean isConnected() {
        return connected;
    }

    /** Reconnects so far. */
    public long reconnects() {
        return reconnects;
    }

    /** Events decoded and registered that the poll thread has not taken yet. Any thread. */
    public int bufferedEvents() {
        return handOff.size();
    }

    @Override
    public void accept(ChangeEvent event) {
        pending.add(event);
    }

    @Override
    public void transactionDone(Lsn lsn) {
        pending.add(lsn);
    }

    private void run() {
        try {
            while (!stopping) {
                step();
            }
            finish();
        } catch (Throwable failure) {
            closeBroken();
            if (!(stopping && failure instanceof InterruptedException)) {
                handOff.fail(failure);
            }
            if (failure instanceof VirtualMachineError error) {
                throw error;
            }
        } finally {
            connected = false;
            pending.clear();
            decoder.reset();
        }
    }

    /** One round: duties, then move decoded events on, then read (or wait for room or for the server). */
    private void step() throws InterruptedException {
        performDuties();
        if (stream == null) {
            long wait = Math.max(SHORT_IDLE_PARK_NANOS, nextConnectNanos - System.nanoTime());
            LockSupport.parkNanos(Math.min(wait, LONG_IDLE_PARK_NANOS));
            return;
        }
        if (!transfer()) {
            handOff.awaitRoom(Math.max(SHORT_IDLE_PARK_NANOS, lastStatusNanos + statusIntervalNanos - System.nanoTime()));
            return;
        }
        if (decoder.isReplaying()) {
            for (int i = 0; i < READ_BATCH && decoder.isReplaying(); i++) {
                decoder.replayNext();
            }
            return;
        }
        int read = 0;
        try {
            while (read < READ_BATCH && !decoder.isReplaying()) {
                ByteBuffer message = stream.readPending();
                if (message == null) {
                    break;
                }
                decoder.decode(message, stream.lastReceiveLsn());
                read++;
                if (!pending.isEmpty() && !decoder.isInTransaction()) {
                    // a transaction is complete: hand it on now rather than after the round (which, while messages
                    // trickle in, may wait for up to READ_BATCH of them)
                    break;
                }
            }
        } catch (SQLException e) {
            transfer(); // what was decoded before the break is valid: pass it on as far as there is room
            connectionLost(e);
            return;
        }
        if (read > 0) {
            emptyReads = 0;
            return;
        }
        emptyReads++;
        LockSupport.parkNanos(emptyReads < IDLE_AFTER_EMPTY_READS ? SHORT_IDLE_PARK_NANOS : LONG_IDLE_PARK_NANOS);
    }

    /**
     * Registers pending events in order and passes them to the hand-off as far as it has room, and
     * applies the transaction ends between them as checkpoints. Returns whether reading may go on
     * (nothing left pending and room for more).
     */
    private boolean transfer() {
        int room = handOff.room();
        long byteRoom = handOff.byteRoom();
        if (pending.isEmpty()) {
            return room > 0 && byteRoom > 0;
        }
        long batchBytes = 0;
        batch.clear();
        while (!pending.isEmpty()) {
            Object item = pending.peek();
            if (item instanceof Lsn end) {
                pending.poll();
                tracker.checkpoint(end);
                batch.add(EventHandOff.endOfTransaction());
                continue;
            }
            ChangeEvent event = (ChangeEvent) item;
            Position position = event.position();
            if (skipThrough != null) {
                if (!position.isAfter(skipThrough)) {
                    pending.poll();
                    continue;
                }
                skipThrough = null;
            }
            if (room == 0 || byteRoom <= 0) {
                break;
            }
            if (lastRegistered != null && !position.isAfter(lastRegistered)) {
                throw new SourceException("the stream went back from position " + lastRegistered + " to " + position + " (" + event.operation()
                        + " of " + event.table() + "); positions must strictly increase");
            }
            pending.poll();
            tracker.register(position);
            lastRegistered = position;
            batch.add(event);
            room--;
            long eventBytes = EventBytes.estimate(event);
            byteRoom -= eventBytes;
            batchBytes += eventBytes;
        }
        handOff.offer(batch, batchBytes);
        batch.clear();
        return pending.isEmpty() && room > 0 && byteRoom > 0;
    }

    private void performDuties() {
        periodicWork.run();
        long now = System.nanoTime();
        if (stream != null && now - lastStatusNanos >= statusIntervalNanos) {
            sendStatus();
        } else if (stream == null && now - nextConnectNanos >= 0) {
            reconnect();
        }
    }

    private void sendStatus() {
        if (!decoder.isInTransaction() && pending.isEmpty()) {
            tracker.checkpoint(stream.lastReceiveLsn());
        }
        Lsn confirmed = tracker.confirmedLsn();
        try {
            stream.sendStatus(confirmed);
            lastStatusNanos = System.nanoTime();
            LOG.trace("status update: flushed {}", confirmed);
        } catch (SQLException e) {
            connectionLost(e);
        }
    }

    /**
     * On stop: reads on to the Commit of a transaction whose events were all taken (see
     * {@link #readCommitOfTakenTransaction}), sends the last status update and ends the stream.
     */
    private void finish() {
        if (stream == null) {
            return;
        }
        readCommitOfTakenTransaction();
        if (!decoder.isInTransaction() && pending.isEmpty()) {
            tracker.checkpoint(stream.lastReceiveLsn());
        }
        Lsn confirmed = tracker.confirmedLsn();
        try {
            stream.sendStatus(confirmed);
        } catch (SQLException e) {
            LOG.warn("the last status update to slot {} failed ({}); the slot stays at the previous one", slotName, e.getMessage());
            closeBroken();
            return;
        }
        stream.stop();
        stream = null;
    }

    /**
     * On stop: when every event registered so far was taken by the poll thread but the Commit of their
     * transaction had not arrived yet, reads on briefly, registering nothing, until that Commit, and
     * checkpoints it. Otherwise the last status update could not confirm a transaction the pipeline
     * had acknowledged in full, and a restart after a clean stop would send it again. Stops at the
     * first event that was not taken: that transaction is not confirmable.
     */
    private void readCommitOfTakenTransaction() {
        if (!handOff.isDrained()) {
            return;
        }
        long deadline = System.nanoTime() + CLOSE_COMMIT_WAIT_NANOS;
        try {
            while (pending.isEmpty() && decoder.isInTransaction() && !decoder.isReplaying() && System.nanoTime() - deadline < 0) {
                ByteBuffer message = stream.readPending();
                if (message == null) {
                    LockSupport.parkNanos(SHORT_IDLE_PARK_NANOS);
                } else {
                    decoder.decode(message, stream.lastReceiveLsn());
                }
            }
        } catch (SQLException e) {
            LOG.debug("reading the rest of the open transaction on close failed", e);
            return;
        }
        while (pending.peek() instanceof Lsn end) {
            pending.poll();
            tracker.checkpoint(end);
        }
    }

    private void connectionLost(SQLException e) {
        if (!ConnectionFailures.isTransient(e)) {
            throw new SourceException(ConnectionFailures.streamFailure(slotName, e), e);
        }
        Duration wait = backoff.next();
        LOG.warn("replication connection of slot {} lost ({}); reconnecting in {} ms, resuming after {}", slotName, e.getMessage(),
                wait.toMillis(), lastRegistered == null ? "the slot's confirmed position" : lastRegistered);
        closeBroken();
        pending.clear();
        decoder.reset();
        skipThrough = lastRegistered;
        nextConnectNanos = System.nanoTime() + wait.toNanos();
    }

    private void closeBroken() {
        if (stream != null) {
            stream.close();
            stream = null;
        }
        connected = false;
    }

    private void reconnect() {
        try {
            openStream();
            reconnects++;
            backoff.reset();
        } catch (SQLException e) {
            if (!ConnectionFailures.isTransient(e)) {
                throw new SourceException(ConnectionFailures.resumeFailure(slotName, e), e);
            }
            Duration wait = backoff.next();
            LOG.warn("reconnecting to slot {} failed ({}); next attempt in {} ms", slotName, e.getMessage(), wait.toMillis());
            nextConnectNanos = System.nanoTime() + wait.toNanos();
        }
    }

    private void openStream() throws SQLException {
        stream = opener.open(tracker.confirmedLsn());
        connected = true;
        lastStatusNanos = System.nanoTime();
    }
}
