/**
 * pgcdc's meters (Micrometer, exposed in Prometheus text format) and the HTTP endpoints
 * {@code /status}, {@code /metrics}, {@code /slot} and {@code /health/*}. Works with plain
 * {@code new}: {@link dev.pgcdc.metrics.ServiceMeters} owns the registry, the sub-packages add the
 * pipeline, slot and snapshot meters and the server.
 */
package dev.pgcdc.metrics;
