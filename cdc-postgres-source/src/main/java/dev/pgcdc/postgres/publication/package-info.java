/** Internal: checking, creating and altering the publication and the replica identity of captured tables. Not an API. */
package dev.pgcdc.postgres.publication;
