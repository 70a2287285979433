/**
 * The slot seen from the service: its figures read over JDBC from {@code pg_replication_slots} and
 * {@code pg_current_wal_lsn()}, and the failover gate that keeps an instance passive until it holds the slot.
 */
package dev.pgcdc.app.slot;
