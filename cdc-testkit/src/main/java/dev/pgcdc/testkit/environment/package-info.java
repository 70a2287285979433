/** How the test environment is chosen: external instances, Testcontainers or local processes, and the pinned versions. */
package dev.pgcdc.testkit.environment;
