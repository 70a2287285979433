/** Internal: opening regular and replication connections with pgjdbc, and quoting SQL identifiers and literals. Not an API. */
package dev.pgcdc.postgres.connection;
