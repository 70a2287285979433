/**
 * {@code pgcdc quickstart}: the service on embedded PostgreSQL and Kafka from the test kit. The only
 * package that may use the test kit, which is a provided-scope dependency: never in the
 * distribution, present on the development class path.
 */
package dev.pgcdc.app.quickstart;
