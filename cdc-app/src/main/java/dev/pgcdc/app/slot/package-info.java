/** The slot's figures read over JDBC from {@code pg_replication_slots} and {@code pg_current_wal_lsn()}. */
package dev.pgcdc.app.slot;
