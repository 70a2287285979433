package dev.pgcdc.snapshot;

import dev.pgcdc.api.coordination.Chunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which chunks have every emitted row acknowledged. Rows get consecutive sequence numbers, chunk after
 * chunk; a chunk is done once its read finished and each of its sequence numbers was acknowledged.
 * Thread-safe: the reading thread starts and finishes chunks, any thread acknowledges.
 */
final class ChunkAcks {

    /** A chunk whose rows are being read or acknowledged. Fields guarded by the {@link ChunkAcks} lock. */
    static final class InFlight {
        final Chunk chunk;
        final long firstSequence;
        long emitted;
        long acknowledged;
        boolean readDone;
        /** Removed from the map (done or abandoned). */
        boolean gone;
        /** The sequence of the chunk's last row once its read ended (set before that row is handed over), else -1. */
        long lastSequence = -1;

        private InFlight(Chunk chunk, long firstSequence) {
            this.chunk = chunk;
            this.firstSequence = firstSequence;
        }
    }

    /** A chunk all of whose rows are acknowledged. */
    record Done(Chunk chunk, long rows) {
    }

    /** In-flight chunks by first sequence number; guarded by {@code this}. */
    private final TreeMap<Long, InFlight> bySequence = new TreeMap<>();
    /** The chunk of the last acknowledgement, possibly no longer in flight (checked before use). */
    private InFlight lastAcknowledged;

    /** Registers a chunk whose rows will take sequence numbers from {@code firstSequence}. */
    synchronized InFlight start(Chunk chunk, long firstSequence) {
        InFlight flight = new InFlight(chunk, firstSequence);
        bySequence.put(firstSequence, flight);
        return flight;
    }

    /** {@code rows} more rows of {@code flight} are emitted (before they can be acknowledged). */
    synchronized void emitted(InFlight flight, int rows) {
        flight.emitted += rows;
    }

    /**
     * The read of {@code flight} ended with the row of {@code lastSequence}, which is not handed over yet:
     * from now on {@link #endingAt} knows it.
     */
    synchronized void ended(InFlight flight, long lastSequence) {
        flight.lastSequence = lastSequence;
    }

    /** The chunk in flight whose last row has {@code sequence}, with its row count; null when that row ends no chunk. */
    synchronized Done endingAt(long sequence) {
        Map.Entry<Long, InFlight> entry = bySequence.floorEntry(sequence);
        if (entry == null || entry.getValue().lastSequence != sequence) {
            return null;
        }
        InFlight flight = entry.getValue();
        return new Done(flight.chunk, flight.lastSequence - flight.firstSequence + 1);
    }

    /** The read of {@code flight} finished; done now when every row is already acknowledged (or it had none). */
    synchronized Done finish(InFlight flight) {
        flight.readDone = true;
        return doneIfComplete(flight);
    }

    /** Drops a chunk whose read failed; its acknowledgements no longer count. */
    synchronized void abandon(InFlight flight) {
        bySequence.remove(flight.firstSequence, flight);
        flight.gone = true;
    }

    /** Counts the acknowledgement of the row with {@code sequence}; the chunk when it completes it. */
    synchronized Done acknowledge(long sequence) {
        // acknowledgements mostly follow each other within one chunk: the last one's chunk first, without
        // the map's search and the boxing of its key (this runs once per row)
        InFlight flight = lastAcknowledged;
        if (flight == null || sequence < flight.firstSequence || sequence >= flight.firstSequence + flight.emitted
                || flight.gone) {
            Map.Entry<Long, InFlight> entry = bySequence.floorEntry(sequence);
            if (entry == null) {
                return null;
            }
            flight = entry.getValue();
            lastAcknowledged = flight;
        }
        if (sequence >= flight.firstSequence + flight.emitted) {
            return null; // an unknown sequence: not emitted by a chunk in flight
        }
        flight.acknowledged++;
        return doneIfComplete(flight);
    }

    private Done doneIfComplete(InFlight flight) {
        if (flight.readDone && flight.acknowledged >= flight.emitted) {
            bySequence.remove(flight.firstSequence, flight);
            flight.gone = true;
            return new Done(flight.chunk, flight.emitted);
        }
        return null;
    }

    /** Chunks whose rows are not all acknowledged yet. */
    synchronized int inFlight() {
        return bySequence.size();
    }

    /** The chunks still in flight (to release on a stop). */
    synchronized List<Chunk> pending() {
        List<Chunk> chunks = new ArrayList<>();
        bySequence.values().forEach(flight -> chunks.add(flight.chunk));
        return chunks;
    }
}
