package dev.pgcdc.api.snapshot;

import java.util.OptionalLong;

/**
 * What a sink that commits exactly once offers the chunked snapshot, so that a restart or a takeover
 * never shows a chunk's rows twice: the sink commits a chunk's rows together with a record that the
 * chunk is done (its {@link ChunkMark}) in one transaction, never part of a chunk, and answers later
 * whether that record was committed.
 *
 * <p>Each snapshot instance writes under a writer identity of its own (the Kafka sink: its
 * transactional id plus the instance id), so instances never fence each other. Before an instance
 * reads a chunk that another instance (or itself, before a restart) held, it asks
 * {@link #committedRows}: the sink first fences that owner's writer (its open transaction is
 * aborted, and it can commit nothing more), then looks for the chunk's record among committed data.
 *
 * <p>Threading: {@link #commitChunks} on the owner thread before {@code start}; {@link #committedRows}
 * from any thread, once the sink started or not (it uses clients of its own).
 */
public interface ChunkLedger {

    /**
     * Whether this sink commits exactly once, so that the snapshot must use this ledger; a sink that
     * writes at least once answers false and the snapshot marks chunks done on acknowledgement only.
     */
    boolean commitsExactlyOnce();

    /**
     * Makes this sink (not started yet) the snapshot's sink of instance {@code instanceId}: it writes
     * under that instance's writer identity, commits only where {@code marks} says a chunk ends, and
     * writes each ending chunk's mark in the same transaction as its rows.
     */
    void commitChunks(String instanceId, ChunkMarks marks);

    /**
     * Fences {@code previousOwner}'s writer (unless it is this instance) and tells whether the chunk's
     * mark was committed: its row count then, empty when it was not (its rows were not committed either).
     *
     * @throws dev.pgcdc.api.CdcException when the destination cannot be read or the fence fails
     */
    OptionalLong committedRows(String jobRun, long chunkId, String previousOwner);
}
