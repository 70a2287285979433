/**
 * The ports for initial snapshots: a finite source of {@code READ} events ({@link dev.pgcdc.api.snapshot.Snapshotter}),
 * the exported snapshot it reads under ({@link dev.pgcdc.api.snapshot.SnapshotExporter},
 * {@link dev.pgcdc.api.snapshot.ExportedSnapshot}), and the table descriptions that decode rows read with SQL as the
 * stream decodes them ({@link dev.pgcdc.api.snapshot.TableCatalog}, {@link dev.pgcdc.api.snapshot.TableShape}).
 * <p>Stable API: plugins and embedders may rely on it; changes follow semantic versioning.
 */
package dev.pgcdc.api.snapshot;
