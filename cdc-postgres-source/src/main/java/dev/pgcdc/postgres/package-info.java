/**
 * The PostgreSQL change source: {@link dev.pgcdc.postgres.PostgresSource} reads a logical replication
 * slot with {@code pgoutput} and emits typed {@link dev.pgcdc.api.event.ChangeEvent}s, configured by
 * {@link dev.pgcdc.postgres.PostgresSourceSettings}. Everything in the sub-packages is internal.
 */
package dev.pgcdc.postgres;
