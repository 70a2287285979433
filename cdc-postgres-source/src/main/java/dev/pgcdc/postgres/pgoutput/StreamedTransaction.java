package dev.pgcdc.postgres.pgoutput;

import dev.pgcdc.api.SourceException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The messages of one streamed (in-progress) transaction, kept in arrival order until its Stream
 * Commit or Abort. They stay in memory while the shared budget of {@link StreamedTransactions}
 * allows; past it the transaction spills: what it held and everything after goes to a temporary
 * file, so heap use is bounded whatever the transaction's size. Aborted subtransactions are
 * remembered and their changes skipped on replay. A replay reads back exactly the messages written:
 * a spill file that ends early fails it, naming the file. Replication thread only.
 */
final class StreamedTransaction {

    /** Heap bytes counted per buffered message on top of its length (object headers, list slot). */
    static final int OVERHEAD_PER_MESSAGE = 96;
    /** PostgreSQL allocates at most 1 GB for one value; a longer spilled message means a corrupt file. */
    private static final int MAX_MESSAGE_LENGTH = 1 << 30;

    private final long xid;
    private final StreamedTransactions owner;
    private final boolean carriesXid;
    private final List<Buffered> memory = new ArrayList<>();
    private long memoryBytes;
    private long messageCount;
    private Path spillFile;
    private DataOutputStream spill;
    private Set<Long> abortedSubtransactions;

    /** @param carriesXid whether its messages have the (sub)transaction id after the type byte (those of stream blocks) */
    StreamedTransaction(long xid, StreamedTransactions owner, boolean carriesXid) {
        this.xid = xid;
        this.owner = owner;
        this.carriesXid = carriesXid;
    }

    boolean carriesXid() {
        return carriesXid;
    }

    long xid() {
        return xid;
    }

    long messageCount() {
        return messageCount;
    }

    boolean isSpilled() {
        return spillFile != null;
    }

    /**
     * Adds a message (the whole message, type byte first, as it came inside the stream block).
     *
     * @param subxid the (sub)transaction id the message carried
     */
    void append(long lsn, long subxid, ByteBuffer message) {
        messageCount++;
        int length = message.limit();
        if (spill == null) {
            long cost = length + OVERHEAD_PER_MESSAGE;
            if (owner.reserve(cost)) {
                memory.add(new Buffered(lsn, subxid, message));
                memoryBytes += cost;
                return;
            }
            startSpilling();
        }
        write(lsn, subxid, message);
    }

    /** Changes of {@code subxid} will not be replayed (ROLLBACK TO SAVEPOINT). */
    void abortSubtransaction(long subxid) {
        if (abortedSubtransactions == null) {
            abortedSubtransactions = new HashSet<>();
        }
        abortedSubtransactions.add(subxid);
    }

    /** Whether the message is a change of an aborted subtransaction (descriptions are always kept). */
    boolean isAborted(long subxid, byte type) {
        return abortedSubtransactions != null && type != 'R' && type != 'Y' && abortedSubtransactions.contains(subxid);
    }

    private void startSpilling() {
        try {
            spillFile = owner.createSpillFile(xid);
            spill = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(spillFile), 64 * 1024));
            for (Buffered buffered : memory) {
                write(buffered.lsn, buffered.subxid, buffered.message);
            }
        } catch (IOException e) {
            throw spillFailure(e);
        }
        memory.clear();
        owner.release(memoryBytes);
        memoryBytes = 0;
    }

    private void write(long lsn, long subxid, ByteBuffer message) {
        try {
            spill.writeLong(lsn);
            spill.writeLong(subxid);
            spill.writeInt(message.limit());
            spill.write(message.array(), message.arrayOffset(), message.limit());
        } catch (IOException e) {
            throw spillFailure(e);
        }
    }

    /** The buffered messages in order; the transaction must not be appended to afterwards. */
    Replay replay() {
        if (spill == null) {
            Iterator<Buffered> iterator = memory.iterator();
            return new Replay() {
                @Override
                public Buffered next() {
                    return iterator.hasNext() ? iterator.next() : null;
                }

                @Override
                public void close() {
                    discard();
                }
            };
        }
        try {
            spill.close();
            spill = null;
            DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(spillFile), 64 * 1024));
            Path file = spillFile;
            long written = messageCount;
            return new Replay() {
                private long read;
                // one array for every message read back: the decoder copies what it keeps (strings, values)
                private byte[] bytes = new byte[256];
                private ByteBuffer buffer = ByteBuffer.wrap(bytes);

                @Override
                public Buffered next() {
                    if (read == written) {
                        return null;
                    }
                    try {
                        long lsn = in.readLong();
                        long subxid = in.readLong();
                        int length = in.readInt();
                        if (length < 1 || length > MAX_MESSAGE_LENGTH) {
                            throw new SourceException("spill file " + file + " of streamed transaction " + xid + " is corrupt: message "
                                    + (read + 1) + " of " + written + " has length " + length);
                        }
                        if (length > bytes.length) {
                            bytes = new byte[Math.max(length, Math.min(2 * bytes.length, MAX_MESSAGE_LENGTH))];
                            buffer = ByteBuffer.wrap(bytes);
                        }
                        in.readFully(bytes, 0, length);
                        read++;
                        buffer.clear().limit(length);
                        return new Buffered(lsn, subxid, buffer);
                    } catch (EOFException e) {
                        // only the end after the last message written is the end: anything shorter lost messages
                        throw new SourceException("spill file " + file + " of streamed transaction " + xid + " ends after " + read + " of its "
                                + written + " messages: it was truncated or changed while pgcdc read it (is the disk full, or does another"
                                + " process clean " + file.getParent() + "?); the transaction cannot be replayed", e);
                    } catch (IOException e) {
                        throw spillFailure(e);
                    }
                }

                @Override
                public void close() {
                    try {
                        in.close();
                    } catch (IOException e) {
                        // the file is deleted next; a failed close loses nothing
                    }
                    discard();
                }
            };
        } catch (IOException e) {
            throw spillFailure(e);
        }
    }

    /** Drops everything: memory back to the budget, spill file deleted. */
    void discard() {
        memory.clear();
        owner.release(memoryBytes);
        memoryBytes = 0;
        if (spill != null) {
            try {
                spill.close();
            } catch (IOException e) {
                // deleting it next
            }
            spill = null;
        }
        if (spillFile != null) {
            try {
                Files.deleteIfExists(spillFile);
            } catch (IOException e) {
                owner.warnUndeleted(spillFile, e);
            }
            spillFile = null;
        }
    }

    private SourceException spillFailure(IOException e) {
        return new SourceException("cannot buffer streamed transaction " + xid + " on disk (" + spillFile + "): " + e.getMessage()
                + "; check postgres.spill-directory and its free space", e);
    }

    /** One buffered message: its LSN, the (sub)transaction id it carried, and its bytes (type byte first). */
    record Buffered(long lsn, long subxid, ByteBuffer message) {
    }

    /** Reads the buffered messages back in order. */
    interface Replay extends AutoCloseable {
        /**
         * The next message, or null at the end. Its buffer is valid until the next call (a replay from
         * a spill file reads every message into the same array): decode it before asking for the next.
         */
        Buffered next();

        @Override
        void close();
    }
}
