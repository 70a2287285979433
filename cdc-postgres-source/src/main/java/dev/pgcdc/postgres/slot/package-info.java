/** Internal: start-up checks of the server (wal_level, privileges, slot and walsender limits) replication slot management, failover slots (PostgreSQL 17+) and the refusal to recreate a slot lost in a failover. Not an API. */
package dev.pgcdc.postgres.slot;
