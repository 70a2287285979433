/**
 * The user extension point that maps change events to output records, and the records themselves.
 * <p>Stable API: plugins and embedders may rely on it; changes follow semantic versioning.
 */
package dev.pgcdc.api.handler;
