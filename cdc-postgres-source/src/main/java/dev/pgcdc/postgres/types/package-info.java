/** Internal: decoding pgoutput's text representation of column values into Java values, per type OID. Not an API. */
package dev.pgcdc.postgres.types;
