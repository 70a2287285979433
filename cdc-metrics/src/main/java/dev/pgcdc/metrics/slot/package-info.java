/** The replication slot's figures: the port that reads them, the monitor that samples them and their gauges. */
package dev.pgcdc.metrics.slot;
