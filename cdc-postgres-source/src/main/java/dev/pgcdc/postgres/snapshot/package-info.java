/**
 * What the source offers snapshots: exported snapshots ({@link dev.pgcdc.postgres.snapshot.PgSnapshotExporter}, with or
 * without a slot) and table descriptions that decode snapshot rows like streamed ones
 * ({@link dev.pgcdc.postgres.snapshot.PgTableCatalog}).
 */
package dev.pgcdc.postgres.snapshot;
