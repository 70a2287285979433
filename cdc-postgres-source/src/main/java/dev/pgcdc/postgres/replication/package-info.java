/**
 * Internal: the replication stream (pgjdbc's {@code PGReplicationStream}) read on the source's own
 * thread, position registration, the bounded hand-off of events to {@code poll}, standby status
 * updates, and reconnecting with backoff. Not an API.
 */
package dev.pgcdc.postgres.replication;
