/** The failover meters: role, takeovers, time as active. */
package dev.pgcdc.metrics.failover;
