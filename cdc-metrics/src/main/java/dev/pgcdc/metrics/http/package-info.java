/** The HTTP endpoints ({@code /status}, {@code /metrics}, {@code /slot}, {@code /health/live}, {@code /health/ready}) on the JDK's own server. */
package dev.pgcdc.metrics.http;
