package dev.pgcdc.postgres.pgoutput;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open streamed transactions and the unresolved prepared ones, by top-level xid, and the heap
 * budget they share: a transaction whose message would exceed it spills to a file in the spill
 * directory. Replication thread only.
 */
public final class StreamedTransactions {

    private static final Logger LOG = LoggerFactory.getLogger(StreamedTransactions.class);

    private final long memoryLimit;
    private final Path spillDirectory;
    private final String filePrefix;
    private final Map<Long, StreamedTransaction> open = new HashMap<>();
    private long memoryUsed;
    private long spilledTransactions;

    /**
     * @param memoryLimit    heap bytes all open streamed transactions may hold together
     * @param spillDirectory where spill files go
     * @param filePrefix     names this source's spill files (e.g. {@code pgcdc-<slot>-}); leftovers are deleted at start
     */
    public StreamedTransactions(long memoryLimit, Path spillDirectory, String filePrefix) {
        this.memoryLimit = memoryLimit;
        this.spillDirectory = spillDirectory;
        this.filePrefix = filePrefix;
    }

    /** Deletes spill files a previous run of this source left behind (it was killed). */
    public void deleteLeftovers() {
        if (!Files.isDirectory(spillDirectory)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(spillDirectory, filePrefix + "*.spill")) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            LOG.warn("cannot delete old spill files {}*.spill in {}: {}", filePrefix, spillDirectory, e.toString());
        }
    }

    /** A streamed transaction: its messages carry its (sub)transaction id after the type byte. */
    StreamedTransaction begin(long xid) {
        return register(new StreamedTransaction(xid, this, true));
    }

    /** A prepared transaction sent whole between Begin Prepare and Prepare: its messages carry no xid. */
    StreamedTransaction beginPrepared(long xid) {
        return register(new StreamedTransaction(xid, this, false));
    }

    private StreamedTransaction register(StreamedTransaction transaction) {
        long xid = transaction.xid();
        StreamedTransaction previous = open.put(xid, transaction);
        if (previous != null) {
            previous.discard();
        }
        return transaction;
    }

    StreamedTransaction get(long xid) {
        return open.get(xid);
    }

    StreamedTransaction remove(long xid) {
        return open.remove(xid);
    }

    boolean isEmpty() {
        return open.isEmpty();
    }

    /** Drops every open transaction (the connection broke: the server sends them again). */
    void discardAll() {
        for (StreamedTransaction transaction : open.values()) {
            transaction.discard();
        }
        open.clear();
    }

    /** Heap bytes held now. */
    public long memoryUsed() {
        return memoryUsed;
    }

    /** How many transactions had to spill so far. */
    public long spilledTransactions() {
        return spilledTransactions;
    }

    boolean reserve(long bytes) {
        if (memoryUsed + bytes > memoryLimit) {
            return false;
        }
        memoryUsed += bytes;
        return true;
    }

    void release(long bytes) {
        memoryUsed -= bytes;
    }

    Path createSpillFile(long xid) throws IOException {
        Files.createDirectories(spillDirectory);
        spilledTransactions++;
        Path file = Files.createTempFile(spillDirectory, filePrefix + "xid" + xid + "-", ".spill");
        LOG.info("streamed transaction {} exceeds the stream buffer memory ({} bytes); buffering it in {}", xid, memoryLimit, file);
        return file;
    }

    void warnUndeleted(Path file, IOException e) {
        LOG.warn("cannot delete spill file {}: {}", file, e.toString());
    }
}
