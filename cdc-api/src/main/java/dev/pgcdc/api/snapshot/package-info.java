/** The port for initial snapshots: a finite source of {@code READ} events. */
package dev.pgcdc.api.snapshot;
