/**
 * The core loop that moves events from a source through a handler to a sink and acknowledges them,
 * with bounded in-flight work. JDK only, usable with plain {@code new} and builders.
 */
package dev.pgcdc.api.pipeline;
