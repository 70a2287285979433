/** Meters of the initial snapshot. */
package dev.pgcdc.metrics.snapshot;
