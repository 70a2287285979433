/** PostgreSQL for tests: the shared instance ({@link dev.pgcdc.testkit.postgres.TestPostgres}), local servers from binaries jars, and SQL helpers. */
package dev.pgcdc.testkit.postgres;
