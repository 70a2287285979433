/**
 * The least-privilege role of docs/security.md, checked against the test kit's real PostgreSQL and Kafka:
 * the packaged service streams as a role with exactly the documented grants, and a role lacking one of
 * them gets an error that says which.
 */
package dev.pgcdc.it.security;
