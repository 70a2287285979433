/** WAL positions ({@link dev.pgcdc.api.position.Lsn}), stream positions and the tracking of what is durable. */
package dev.pgcdc.api.position;
