/**
 * The change events that flow from sources through handlers to sinks, and the rows they carry.
 * <p>Stable API: plugins and embedders may rely on it; changes follow semantic versioning.
 */
package dev.pgcdc.api.event;
