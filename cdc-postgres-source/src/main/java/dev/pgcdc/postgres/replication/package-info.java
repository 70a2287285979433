/**
 * Internal: the replication stream (pgjdbc's {@code PGReplicationStream}), polling it, position
 * registration, standby status updates, and reconnecting with backoff. Not an API.
 */
package dev.pgcdc.postgres.replication;
