/** What the service is doing now (role, phase, failure), as {@code /status} and the health endpoints report it. */
package dev.pgcdc.metrics.status;
