/**
 * The port output records go to ({@link dev.pgcdc.api.sink.Sink}) and its ServiceLoader factory.
 * <p>Stable API: plugins and embedders may rely on it; changes follow semantic versioning.
 */
package dev.pgcdc.api.sink;
