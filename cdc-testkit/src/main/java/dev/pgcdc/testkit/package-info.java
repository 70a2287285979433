/**
 * The pgcdc test kit: real PostgreSQL and Kafka for integration tests ({@code postgres}, {@code kafka}),
 * the JUnit extension that hands them to tests, and unique names so that tests sharing them never collide.
 */
package dev.pgcdc.testkit;
