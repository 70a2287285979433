/**
 * The consistent, chunked, multi-instance snapshot: {@link dev.pgcdc.snapshot.ChunkedSnapshotter} (the
 * {@link dev.pgcdc.api.snapshot.Snapshotter}: job, plan, claims, acknowledgements, progress),
 * {@link dev.pgcdc.snapshot.ChunkPlanner} (integer range, keyset and ctid chunks), {@link dev.pgcdc.snapshot.ChunkReader}
 * (one range of one table under an imported snapshot, independent of jobs and claims, so an incremental snapshot
 * can reuse it), {@link dev.pgcdc.snapshot.SnapshotThenStream} (mode {@code initial}: the snapshot, then the stream)
 * and {@link dev.pgcdc.snapshot.SnapshotSettings}. Depends on {@code cdc-api} only: the source provides the exporter,
 * the table catalog and the connections, the coordination module the claim store.
 */
package dev.pgcdc.snapshot;
