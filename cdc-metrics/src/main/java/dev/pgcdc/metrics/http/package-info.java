/** The HTTP endpoints ({@code /status}, {@code /metrics}, {@code /slot}, {@code /health/live}, {@code /health/ready}, and when asked for {@code /debug/threads} and {@code /debug/jfr}) on the JDK's own server. */
package dev.pgcdc.metrics.http;
