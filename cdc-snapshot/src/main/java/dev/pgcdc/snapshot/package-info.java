/**
 * Consistent chunked initial snapshot (planned; see docs/architecture.md): exported snapshot, chunk planning by
 * primary-key ranges, chunk reading as {@code READ} events. Implemented by a later issue; the port it
 * implements is {@link dev.pgcdc.api.snapshot.Snapshotter}.
 */
package dev.pgcdc.snapshot;
