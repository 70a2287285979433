package dev.pgcdc.postgres.pgoutput;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.position.Lsn;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
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
 * subtransaction.
 *
 * <p>Prepared transactions (a slot created with {@code two_phase = true} on PostgreSQL 15+ decodes
 * them whatever the client asks) arrive between Begin Prepare and Prepare, or streamed and ended by
 * Stream Prepare, when PostgreSQL executes {@code PREPARE TRANSACTION}; whether they commit is known
 * only at Commit Prepared or Rollback Prepared, possibly much later. They are buffered like streamed
 * transactions and replayed at Commit Prepared with positions (commit-prepared LSN, index); a
 * rollback drops them. PostgreSQL does not send a prepared transaction again once the slot is
 * confirmed past its PREPARE record, so while one is unresolved every LSN reported through
 * {@link ChangeConsumer#transactionDone} is capped at the earliest unresolved prepare LSN, and
 * {@link #isInTransaction()} stays true (no idle checkpoint passes it either).
 *
 * <p>A message that cannot be decoded (truncated, garbled) throws a {@link SourceException} naming
 * the message type and the LSN and, for values, relation and column. Replication thread only.
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
    /** The prepared transaction between Begin Prepare and Prepare, whose changes are buffered, or null. */
    private StreamedTransaction preparing;
    /** Unresolved prepared transactions (buffered in {@link #streams}): xid to the LSN of its PREPARE record. */
    private final Map<Long, Lsn> preparedAt = new HashMap<>();

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
        if (!message.hasRemaining()) {
            throw new SourceException("empty pgoutput message at LSN " + lsn);
        }
        byte type = message.get();
        try {
            if (streamXid >= 0 && isStreamedKind(type)) {
                bufferStreamed(message, lsn);
                return;
            }
            if (preparing != null && isPreparedKind(type, message)) {
                preparing.append(lsn.value(), preparing.xid(), message);
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
                case 'M' -> message(message, lsn);
                case 'S' -> streamStart(message);
                case 'E' -> streamStop();
                case 'c' -> streamCommit(message, lsn);
                case 'A' -> streamAbort(message);
                case 'b' -> beginPrepare(message, lsn);
                case 'P' -> prepare(message, lsn);
                case 'p' -> streamPrepare(message, lsn);
                case 'K' -> commitPrepared(message, lsn);
                case 'r' -> rollbackPrepared(message);
                default -> throw new SourceException("unknown pgoutput message type '" + (char) type + "' (" + type + ") at LSN " + lsn);
            }
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException | NegativeArraySizeException
                | DateTimeException e) {
            throw malformed(type, lsn, e);
        }
    }

    private static SourceException malformed(byte type, Lsn lsn, RuntimeException e) {
        return new SourceException("cannot decode pgoutput message '" + (char) type + "' at LSN " + lsn + ": it is truncated or malformed ("
                + e + ")", e);
    }

    /**
     * Whether a plain transaction is open, a stream block is open, or a streamed or prepared
     * transaction waits for its commit or replay. While this is true the position of the last
     * message received must not be confirmed.
     */
    public boolean isInTransaction() {
        return transaction != null || preparing != null || streamXid >= 0 || replay != null || !streams.isEmpty();
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
        Lsn lsn = Lsn.of(buffered.lsn());
        try {
            if (replaying.carriesXid()) {
                message.getInt(); // the (sub)transaction id, known already
            }
            if (replaying.isAborted(buffered.subxid(), type)) {
                return;
            }
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
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException | NegativeArraySizeException
                | DateTimeException e) {
            throw malformed(type, lsn, e);
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
        preparing = null;
        preparedAt.clear();
        streams.discardAll();
        relations.clear();
    }

    /** Messages that belong to the transaction of the stream block they arrive in (and carry its xid). */
    private static boolean isStreamedKind(byte type) {
        // a Message inside a stream block is transactional: non-transactional ones are never streamed
        return type == 'R' || type == 'Y' || type == 'I' || type == 'U' || type == 'D' || type == 'T' || type == 'M';
    }

    /** Messages of a prepared transaction between Begin Prepare and Prepare that wait for its Commit Prepared. */
    private static boolean isPreparedKind(byte type, ByteBuffer message) {
        // descriptions (R, Y) take effect at once: the server will not describe the table again for later transactions
        return type == 'I' || type == 'U' || type == 'D' || type == 'T'
                || type == 'M' && (message.get(message.position()) & 1) != 0;
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
        if (transaction != null || preparing != null) {
            throw new SourceException("pgoutput Begin of transaction " + xid + " while transaction "
                    + (transaction != null ? transaction.xid : preparing.xid()) + " is still open");
        }
        transaction = new TransactionContext(xid, finalLsn, commitTime);
    }

    private void commit(ByteBuffer message, Lsn lsn) {
        message.get(); // flags, unused
        Lsn commitLsn = Lsn.of(message.getLong());
        Lsn endLsn = Lsn.of(message.getLong());
        message.getLong(); // commit time, known from Begin; read so that a truncated Commit fails
        if (transaction == null) {
            throw new SourceException("pgoutput Commit at LSN " + lsn + " without a Begin");
        }
        if (!commitLsn.equals(transaction.commitLsn)) {
            throw new SourceException("pgoutput Commit of transaction " + transaction.xid + " has commit LSN " + commitLsn + ", its Begin said "
                    + transaction.commitLsn);
        }
        transaction = null;
        done(endLsn);
    }

    private void message(ByteBuffer message, Lsn lsn) {
        Lsn standalone = changes.message(message, lsn, transaction);
        if (standalone != null) {
            done(standalone);
        }
    }

    /**
     * Reports {@code lsn} confirmable once what was accepted is durable, but never past the PREPARE
     * of an unresolved prepared transaction: PostgreSQL would not send its changes again.
     */
    private void done(Lsn lsn) {
        if (preparedAt.isEmpty()) {
            consumer.transactionDone(lsn);
            return;
        }
        Lsn capped = lsn;
        for (Lsn prepareLsn : preparedAt.values()) {
            if (prepareLsn.compareTo(capped) < 0) {
                capped = prepareLsn;
            }
        }
        consumer.transactionDone(capped);
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
        startReplay(streamed, new TransactionContext(xid, commitLsn, commitTime), endLsn);
    }

    /** Replays a committed streamed or prepared transaction through {@link #replayNext()}, then reports {@code endLsn}. */
    private void startReplay(StreamedTransaction buffered, TransactionContext committed, Lsn endLsn) {
        if (buffered.isSpilled()) {
            LOG.info("replaying transaction {} ({} messages) from its spill file", committed.xid, buffered.messageCount());
        }
        transaction = committed;
        replaying = buffered;
        replayEndLsn = endLsn;
        replay = buffered.replay();
    }

    private void finishReplay() {
        replay.close();
        replay = null;
        replaying = null;
        transaction = null;
        done(replayEndLsn);
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

    private void beginPrepare(ByteBuffer message, Lsn lsn) {
        Lsn prepareLsn = Lsn.of(message.getLong());
        message.getLong(); // end LSN of the PREPARE record
        message.getLong(); // prepare time
        long xid = Integer.toUnsignedLong(message.getInt());
        String gid = ProtocolBuffers.readString(message);
        if (transaction != null || preparing != null) {
            throw new SourceException("pgoutput Begin Prepare of transaction " + xid + " ('" + gid + "') at LSN " + lsn
                    + " while another transaction is still open");
        }
        LOG.debug("prepared transaction {} ('{}', PREPARE at {}): buffering it until COMMIT PREPARED", xid, gid, prepareLsn);
        preparing = streams.beginPrepared(xid);
    }

    private void prepare(ByteBuffer message, Lsn lsn) {
        PrepareRecord prepared = PrepareRecord.read(message);
        if (preparing == null || preparing.xid() != prepared.xid) {
            throw new SourceException("pgoutput Prepare of transaction " + prepared.xid + " ('" + prepared.gid + "') at LSN " + lsn
                    + " without its Begin Prepare");
        }
        preparing = null;
        preparedAt.put(prepared.xid, prepared.prepareLsn);
    }

    private void streamPrepare(ByteBuffer message, Lsn lsn) {
        PrepareRecord prepared = PrepareRecord.read(message);
        if (streams.get(prepared.xid) == null) {
            throw new SourceException("pgoutput Stream Prepare at LSN " + lsn + " of transaction " + prepared.xid + " ('" + prepared.gid
                    + "') that was never streamed in this session");
        }
        preparedAt.put(prepared.xid, prepared.prepareLsn);
    }

    /** The body of Prepare and Stream Prepare: flags, prepare LSN, end LSN, prepare time, xid, gid. */
    private record PrepareRecord(Lsn prepareLsn, long xid, String gid) {
        static PrepareRecord read(ByteBuffer message) {
            message.get(); // flags, unused
            Lsn prepareLsn = Lsn.of(message.getLong());
            message.getLong(); // end LSN
            message.getLong(); // prepare time
            long xid = Integer.toUnsignedLong(message.getInt());
            return new PrepareRecord(prepareLsn, xid, ProtocolBuffers.readString(message));
        }
    }

    private void commitPrepared(ByteBuffer message, Lsn lsn) {
        message.get(); // flags, unused
        Lsn commitLsn = Lsn.of(message.getLong());
        Lsn endLsn = Lsn.of(message.getLong());
        Instant commitTime = ProtocolBuffers.timestamp(message.getLong());
        long xid = Integer.toUnsignedLong(message.getInt());
        String gid = ProtocolBuffers.readString(message);
        Lsn prepareLsn = preparedAt.remove(xid);
        StreamedTransaction prepared = prepareLsn == null ? null : streams.remove(xid);
        if (prepared == null) {
            // pgcdc never confirms past an unresolved PREPARE: its PREPARE lies before where the slot's decoding starts
            // (prepared before the slot existed, or the slot was moved past it by another consumer); the server will
            // not send those changes, so stopping would not bring them back
            LOG.warn("COMMIT PREPARED of transaction {} ('{}') at LSN {}, whose changes this session never received: it was prepared before"
                    + " the slot's position (before the slot was created, or the slot was confirmed or advanced past it by another"
                    + " consumer); its changes are not emitted", xid, gid, lsn);
            done(endLsn);
            return;
        }
        startReplay(prepared, new TransactionContext(xid, commitLsn, commitTime), endLsn);
    }

    private void rollbackPrepared(ByteBuffer message) {
        message.get(); // flags, unused
        message.getLong(); // end LSN of the PREPARE record
        Lsn endLsn = Lsn.of(message.getLong());
        message.getLong(); // prepare time
        message.getLong(); // rollback time
        long xid = Integer.toUnsignedLong(message.getInt());
        ProtocolBuffers.readString(message); // gid
        if (preparedAt.remove(xid) != null) {
            streams.remove(xid).discard();
        }
        done(endLsn);
    }
}
