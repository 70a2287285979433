/**
 * Column values that have no natural JDK type. Every other PostgreSQL type decodes to a JDK value;
 * the mapping is listed on {@link dev.pgcdc.api.event.Row}.
 * <p>Stable API: plugins and embedders may rely on it; changes follow semantic versioning.
 */
package dev.pgcdc.api.value;
