/** The built-in {@code json} change handler: events as JSON envelopes (pgcdc's or Debezium's), written with Jackson's streaming generator. */
package dev.pgcdc.json;
