/** Internal: the optional heartbeat table the source keeps updated so a quiet slot still advances. Not an API. */
package dev.pgcdc.postgres.heartbeat;
