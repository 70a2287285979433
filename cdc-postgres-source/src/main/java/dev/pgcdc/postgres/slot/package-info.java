/** Internal: start-up checks of the server (wal_level, privileges, slot and walsender limits) and replication slot management. Not an API. */
package dev.pgcdc.postgres.slot;
