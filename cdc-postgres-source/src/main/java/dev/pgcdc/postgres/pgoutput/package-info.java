/**
 * Internal: the pgoutput protocol decoder (one method per message type), the relation cache, and
 * the assembly of streamed transactions (held until their commit, spilled to disk past a memory
 * bound). Not an API.
 */
package dev.pgcdc.postgres.pgoutput;
