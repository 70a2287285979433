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
 * Reads the replication stream on the poll thread: decodes messages into events, registers each
 * event's position with the {@link PositionTracker} as it hands it out and marks transaction ends
 * as checkpoints, sends standby status updates every status interval (whether the stream is busy
 * or idle, and once more on close), and reconnects with backoff when the connection is lost.
 *
 * <p><b>Feedback.</b> The flushed LSN reported is {@link PositionTracker#confirmedLsn()}: the end of
 * the last transaction whose events are all acknowledged. When no transaction is open and nothing
 * decoded waits to be handed out, the position of the last message or keepalive received is
 * checkpointed too: every transaction committed before it has been handed out already, so idle
 * slots and slots whose tables are quiet while others are busy keep advancing.
 *
 * <p><b>Reconnect.</b> After a lost connection (including a terminated walsender) the tracker keeps
 * its in-flight positions: the pipeline still holds those events and will acknowledge them, it
 * never drops one. The stream restarts at the confirmed LSN, so the server sends again every
 * transaction from the first unacknowledged one on; events at or before the last position handed
 * out are skipped, because they are already in the pipeline. Positions are deterministic (commit
 * LSN, index among the transaction's emitted events), so a re-sent event has the position it had.
 * The result: no event lost, none emitted twice by one source instance; after a process restart,
 * the unacknowledged tail is sent again (at-least-once). Decoded-but-not-handed-out events and
 * partly received streamed transactions are dropped at the break and come again with the re-sent
 * stream.
 */
public final class ReplicationReader implements ChangeConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationReader.class);
    private static final long SHORT_IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long LONG_IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** How long close() reads on for the Commit of a transaction whose events were all handed out. */
    private static final long CLOSE_COMMIT_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Empty reads in a row after which the stream counts as idle and is checked less often. */
    private static final int IDLE_AFTER_EMPTY_READS = 50;

    private final WalStreamOpener opener;
    private final PositionTracker tracker;
    private final PgoutputDecoder decoder;
    private final long statusIntervalNanos;
    private final Backoff backoff;
    private final String slotName;
    /** Decoded, not yet handed out: {@link ChangeEvent}s and, as {@link Lsn}s, checkpoints. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();

    private WalStream stream;
    private long lastStatusNanos;
    private long nextConnectNanos;
    private Position lastEmitted;
    /** After a reconnect: positions up to here were handed out before the break and are skipped. */
    private Position skipThrough;
    private volatile long reconnects;
    private volatile boolean connected;
    private int emptyReads;

    public ReplicationReader(String slotName, WalStreamOpener opener, PositionTracker tracker, RelationCache relations,
            StreamedTransactions streams, Duration statusInterval, Duration reconnectBackoff, Duration reconnectMaxBackoff) {
        this.slotName = slotName;
        this.opener = opener;
        this.tracker = tracker;
        this.decoder = new PgoutputDecoder(relations, streams, this);
        this.statusIntervalNanos = statusInterval.toNanos();
        this.backoff = new Backoff(reconnectBackoff, reconnectMaxBackoff);
    }

    /** Starts the stream at the tracker's confirmed LSN (or the slot's position when it has none). */
    public void start() {
        try {
            openStream();
        } catch (SQLException e) {
            throw new SourceException("cannot start replication from slot \"" + slotName + "\": " + e.getMessage(), e);
        }
    }

    /** See {@link dev.pgcdc.api.source.ChangeSource#poll}. */
    public List<ChangeEvent> poll(int maxEvents, Duration timeout) throws InterruptedException {
        List<ChangeEvent> out = new ArrayList<>(Math.min(maxEvents, 1024));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            performDuties();
            if (stream == null) {
                if (!out.isEmpty() || System.nanoTime() - deadline >= 0) {
                    return out;
                }
                LockSupport.parkNanos(Math.max(0, Math.min(deadline, nextConnectNanos) - System.nanoTime()));
                continue;
            }
            handOut(out, maxEvents);
            if (out.size() >= maxEvents) {
                return out;
            }
            if (decoder.isReplaying()) {
                decoder.replayNext();
                continue;
            }
            ByteBuffer message;
            try {
                message = stream.readPending();
            } catch (SQLException e) {
                connectionLost(e);
                continue;
            }
            if (message != null) {
                emptyReads = 0;
                decoder.decode(message, stream.lastReceiveLsn());
                continue;
            }
            if (!out.isEmpty() || System.nanoTime() - deadline >= 0) {
                return out;
            }
            emptyReads++;
            LockSupport.parkNanos(emptyReads < IDLE_AFTER_EMPTY_READS ? SHORT_IDLE_PARK_NANOS : LONG_IDLE_PARK_NANOS);
        }
    }

    /** Periodic duties without reading: status updates while the consumer applies backpressure. */
    public void keepAlive() {
        if (stream != null && System.nanoTime() - lastStatusNanos >= statusIntervalNanos) {
            sendStatus();
        }
    }

    /** Sends a last status update with the confirmed LSN and ends the stream cleanly, so the server has it before the connection closes. */
    public void close() {
        if (stream != null) {
            readCommitOfHandedOutTransaction();
        }
        if (stream != null) {
            sendStatus();
        }
        if (stream != null) {
            stream.stop();
            stream = null;
        }
        connected = false;
        decoder.reset();
        pending.clear();
    }

    /**
     * On close: when every event decoded so far was handed out but the Commit of their transaction had
     * not arrived yet (a poll returns as soon as nothing more is pending), reads on briefly, handing
     * out nothing, until that Commit, and checkpoints it. Otherwise the last status update could not
     * confirm a transaction the pipeline had acknowledged in full, and a restart after a clean stop
     * would send it again. Stops at the first event that was not handed out: that transaction is not
     * confirmable.
     */
    private void readCommitOfHandedOutTransaction() {
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

    public boolean isConnected() {
        return connected;
    }

    /** Reconnects so far. */
    public long reconnects() {
        return reconnects;
    }

    @Override
    public void accept(ChangeEvent event) {
        pending.add(event);
    }

    @Override
    public void transactionDone(Lsn lsn) {
        pending.add(lsn);
    }

    /** Moves pending events to {@code out}, registering their positions, and applies checkpoints, in order. */
    private void handOut(List<ChangeEvent> out, int maxEvents) {
        while (out.size() < maxEvents && !pending.isEmpty()) {
            Object item = pending.poll();
            if (item instanceof Lsn lsn) {
                tracker.checkpoint(lsn);
                continue;
            }
            ChangeEvent event = (ChangeEvent) item;
            Position position = event.position();
            if (skipThrough != null) {
                if (!position.isAfter(skipThrough)) {
                    continue;
                }
                skipThrough = null;
            }
            if (lastEmitted != null && !position.isAfter(lastEmitted)) {
                throw new SourceException("the stream went back from position " + lastEmitted + " to " + position + " (" + event.operation()
                        + " of " + event.table() + "); positions must strictly increase");
            }
            tracker.register(position);
            lastEmitted = position;
            out.add(event);
        }
    }

    private void performDuties() {
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

    private void connectionLost(SQLException e) {
        if (!ConnectionFailures.isTransient(e)) {
            throw new SourceException(ConnectionFailures.streamFailure(slotName, e), e);
        }
        Duration wait = backoff.next();
        LOG.warn("replication connection of slot {} lost ({}); reconnecting in {} ms, resuming after {}", slotName, e.getMessage(),
                wait.toMillis(), lastEmitted == null ? "the slot's confirmed position" : lastEmitted);
        stream.close();
        stream = null;
        connected = false;
        pending.clear();
        decoder.reset();
        skipThrough = lastEmitted;
        nextConnectNanos = System.nanoTime() + wait.toNanos();
    }

    private void reconnect() {
        try {
            openStream();
            reconnects++;
            backoff.reset();
        } catch (SQLException e) {
            if (!ConnectionFailures.isTransient(e)) {
                throw new SourceException("cannot resume replication from slot \"" + slotName + "\": " + e.getMessage(), e);
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
