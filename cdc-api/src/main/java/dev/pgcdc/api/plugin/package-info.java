/**
 * What plugins (sources, handlers, sinks) receive from the host: their own configuration section as
 * plain values, read through declared settings ({@link dev.pgcdc.api.config}), the context they are
 * made in, and a port to register meters ({@link dev.pgcdc.api.plugin.MeterRegistrar}) without a
 * metrics library.
 * <p>Stable API: plugins and embedders may rely on it; changes follow semantic versioning.
 */
package dev.pgcdc.api.plugin;
