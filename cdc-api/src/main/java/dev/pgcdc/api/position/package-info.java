/**
 * WAL positions ({@link dev.pgcdc.api.position.Lsn}), stream positions, the cluster they belong to, and the
 * contract of tracking what is durable ({@link dev.pgcdc.api.position.PositionTracker}; its implementation is the
 * runtime's {@link dev.pgcdc.api.runtime.OrderedPositionTracker}).
 * <p>Stable API: plugins and embedders may rely on it; changes follow semantic versioning.
 */
package dev.pgcdc.api.position;
