package dev.pgcdc.postgres.pgoutput;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.position.Lsn;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes pgoutput messages (protocol versions 1 to 4, text format) into change events, in stream
 * order, handing them to a {@link ChangeConsumer}. A switch over the message type, one method per
 * message.
 *
 * <p>Plain transactions arrive whole between Begin and Commit and are emitted as they are decoded
 * (their commit LSN is known from Begin). Streamed transactions (protocol 2+, {@code streaming on})
 * arrive in blocks between Stream Start and Stream Stop, interleaved with others, before PostgreSQL
 * knows whether they commit: their messages are buffered ({@link StreamedTransactions}) and replayed
 * at Stream Commit, through {@link #replayNext()}, one message per call so the caller can stop at
 * its batch size; Stream Abort drops the transaction, or only the changes of the aborted
 * subtransaction. A message that cannot be decoded throws a {@link SourceException} naming the LSN
 * and, for values, relation and column. Replication thread only.
 */
public final class PgoutputDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(PgoutputDecoder.class);

    private final RelationCache relations;
    private final ChangeDecoder changes;
    private final ChangeConsumer consumer;
    private final StreamedTransactions streams;

    /** The plain transaction being decoded (after Begin), or the streamed one being replayed. */
    private TransactionContext transaction;
    /** The top-level xid of the open stream block, or -1 outside Stream Start/Stop. */
    private long streamXid = -1;
    /** The transaction of the open stream block (saves a map lookup per buffered message), or null. */
    private StreamedTransaction streamBlock;
    private StreamedTransaction.Replay replay;
    private StreamedTransaction replaying;
    private Lsn replayEndLsn;

    public PgoutputDecoder(RelationCache relations, StreamedTransactions streams, ChangeConsumer consumer) {
        this.relations = relations;
        this.streams = streams;
        this.consumer = consumer;
        this.changes = new ChangeDecoder(relations, consumer);
    }

    /**
     * Decodes one message.
     *
     * @param message the XLogData payload, type byte first (a heap buffer)
     * @param lsn     the WAL position the server gave the message
     */
    public void decode(ByteBuffer message, Lsn lsn) {
        if (replay != null) {
            throw new IllegalStateException("a streamed transaction is being replayed; call replayNext() until it is done");
        }
        byte type = message.get();
        try {
            if (streamXid >= 0 && isStreamedKind(type)) {
                bufferStreamed(message, lsn);
                return;
            }
            switch (type) {
                case 'B' -> begin(message);
                case 'C' -> commit(message, lsn);
                case 'O' -> origin(message);
                case 'R' -> relations.read(message);
                case 'Y' -> relations.readType(message);
                case 'I' -> changes.insert(message, lsn, requireTransaction(type, lsn));
                case 'U' -> changes.update(message, lsn, requireTransaction(type, lsn));
                case 'D' -> changes.delete(message, lsn, requireTransaction(type, lsn));
                case 'T' -> changes.truncate(message, lsn, requireTransaction(type, lsn));
                case 'M' -> changes.message(message, lsn, transaction);
                case 'S' -> streamStart(message);
                case 'E' -> streamStop();
                case 'c' -> streamCommit(message, lsn);
                case 'A' -> streamAbort(message);
                default -> throw new SourceException("unknown pgoutput message type '" + (char) type + "' (" + type + ") at LSN " + lsn);
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new SourceException("cannot decode pgoutput message '" + (char) type + "' at LSN " + lsn + ": it is truncated or malformed ("
                    + e + ")", e);
        }
    }

    /** Whether a plain transaction is open, a stream block is open, or a streamed transaction waits for its commit or replay. */
    public boolean isInTransaction() {
        return transaction != null || streamXid >= 0 || replay != null || !streams.isEmpty();
    }

    /** Whether a committed streamed transaction is being replayed: call {@link #replayNext()} before decoding more. */
    public boolean isReplaying() {
        return replay != null;
    }

    /** Replays the next message of the committed streamed transaction; at its end, reports the transaction done. */
    public void replayNext() {
        StreamedTransaction.Buffered buffered = replay.next();
        if (buffered == null) {
            finishReplay();
            return;
        }
        ByteBuffer message = buffered.message();
        message.position(0);
        byte type = message.get();
        message.getInt(); // the (sub)transaction id, known already
        if (replaying.isAborted(buffered.subxid(), type)) {
            return;
        }
        Lsn lsn = Lsn.of(buffered.lsn());
        try {
            switch (type) {
                case 'R' -> relations.read(message);
                case 'Y' -> relations.readType(message);
                case 'I' -> changes.insert(message, lsn, transaction);
                case 'U' -> changes.update(message, lsn, transaction);
                case 'D' -> changes.delete(message, lsn, transaction);
                case 'T' -> changes.truncate(message, lsn, transaction);
                case 'M' -> changes.message(message, lsn, transaction);
                default -> throw new SourceException("unexpected buffered pgoutput message '" + (char) type + "' at LSN " + lsn);
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new SourceException("cannot decode streamed pgoutput message '" + (char) type + "' at LSN " + lsn + ": " + e, e);
        }
    }

    /** Forgets all state but nothing learned from configuration: after a lost connection the server starts over. */
    public void reset() {
        if (replay != null) {
            replay.close();
        }
        replay = null;
        replaying = null;
        transaction = null;
        streamXid = -1;
        streamBlock = null;
        streams.discardAll();
        relations.clear();
    }

    /** Messages that belong to the transaction of the stream block they arrive in (and carry its xid). */
    private static boolean isStreamedKind(byte type) {
        // a Message inside a stream block is transactional: non-transactional ones are never streamed
        return type == 'R' || type == 'Y' || type == 'I' || type == 'U' || type == 'D' || type == 'T' || type == 'M';
    }

    private TransactionContext requireTransaction(byte type, Lsn lsn) {
        if (transaction == null) {
            throw new SourceException("pgoutput message '" + (char) type + "' at LSN " + lsn + " outside a transaction (no Begin before it)");
        }
        return transaction;
    }

    private void begin(ByteBuffer message) {
        Lsn finalLsn = Lsn.of(message.getLong());
        Instant commitTime = ProtocolBuffers.timestamp(message.getLong());
        long xid = Integer.toUnsignedLong(message.getInt());
        if (transaction != null) {
            throw new SourceException("pgoutput Begin of transaction " + xid + " while transaction " + transaction.xid + " is still open");
        }
        transaction = new TransactionContext(xid, finalLsn, commitTime);
    }

    private void commit(ByteBuffer message, Lsn lsn) {
        message.get(); // flags, unused
        Lsn commitLsn = Lsn.of(message.getLong());
        Lsn endLsn = Lsn.of(message.getLong());
        if (transaction == null) {
            throw new SourceException("pgoutput Commit at LSN " + lsn + " without a Begin");
        }
        if (!commitLsn.equals(transaction.commitLsn)) {
            throw new SourceException("pgoutput Commit of transaction " + transaction.xid + " has commit LSN " + commitLsn + ", its Begin said "
                    + transaction.commitLsn);
        }
        transaction = null;
        consumer.transactionDone(endLsn);
    }

    private void origin(ByteBuffer message) {
        Lsn originLsn = Lsn.of(message.getLong());
        String name = ProtocolBuffers.readString(message);
        LOG.debug("transaction replicated from origin {} (commit LSN there {})", name, originLsn);
    }

    private void streamStart(ByteBuffer message) {
        long xid = Integer.toUnsignedLong(message.getInt());
        boolean firstSegment = message.get() == 1;
        if (streamXid >= 0) {
            throw new SourceException("pgoutput Stream Start of transaction " + xid + " inside the stream block of " + streamXid);
        }
        StreamedTransaction streamed = firstSegment ? streams.begin(xid) : streams.get(xid);
        if (streamed == null) {
            throw new SourceException("pgoutput continues streamed transaction " + xid + " that never started in this session");
        }
        streamXid = xid;
        streamBlock = streamed;
    }

    private void streamStop() {
        if (streamXid < 0) {
            throw new SourceException("pgoutput Stream Stop outside a stream block");
        }
        streamXid = -1;
        streamBlock = null;
    }

    private void bufferStreamed(ByteBuffer message, Lsn lsn) {
        long subxid = Integer.toUnsignedLong(message.getInt());
        streamBlock.append(lsn.value(), subxid, message);
    }

    private void streamCommit(ByteBuffer message, Lsn lsn) {
        long xid = Integer.toUnsignedLong(message.getInt());
        message.get(); // flags, unused
        Lsn commitLsn = Lsn.of(message.getLong());
        Lsn endLsn = Lsn.of(message.getLong());
        Instant commitTime = ProtocolBuffers.timestamp(message.getLong());
        StreamedTransaction streamed = streams.remove(xid);
        if (streamed == null) {
            throw new SourceException("pgoutput Stream Commit at LSN " + lsn + " of transaction " + xid + " that was never streamed in this session");
        }
        if (streamed.isSpilled()) {
            LOG.info("replaying streamed transaction {} ({} messages) from its spill file", xid, streamed.messageCount());
        }
        transaction = new TransactionContext(xid, commitLsn, commitTime);
        replaying = streamed;
        replayEndLsn = endLsn;
        replay = streamed.replay();
    }

    private void finishReplay() {
        replay.close();
        replay = null;
        replaying = null;
        transaction = null;
        consumer.transactionDone(replayEndLsn);
    }

    private void streamAbort(ByteBuffer message) {
        long xid = Integer.toUnsignedLong(message.getInt());
        long subxid = Integer.toUnsignedLong(message.getInt());
        // protocol 4 with streaming = parallel adds abort LSN and time; this source asks for streaming = on
        StreamedTransaction streamed = streams.get(xid);
        if (streamed == null) {
            return; // nothing of it was buffered in this session
        }
        if (xid == subxid) {
            streams.remove(xid).discard();
        } else {
            streamed.abortSubtransaction(subxid);
        }
    }
}
