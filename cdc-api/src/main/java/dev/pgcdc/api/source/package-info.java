/**
 * The port a stream of change events comes from: {@link dev.pgcdc.api.source.ChangeSource}.
 * <p>Stable API: plugins and embedders may rely on it; changes follow semantic versioning.
 */
package dev.pgcdc.api.source;
