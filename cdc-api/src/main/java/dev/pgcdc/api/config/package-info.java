/**
 * The one settings facility of every module, in the pattern of Kafka's {@code ConfigDef}: each
 * setting is declared once as a {@link dev.pgcdc.api.config.Setting} (key, type, default,
 * validation, one line of documentation) in a {@link dev.pgcdc.api.config.Section}; reading a
 * section checks every key and value at once ({@link dev.pgcdc.api.config.Problems}), suggests the
 * closest key for a misspelt one (one did-you-mean algorithm, package-private) and never shows a
 * secret ({@link dev.pgcdc.api.config.Secrets}). JDK only. See docs/architecture.md, "Adding a plugin".
 * <p>Stable API: plugins and embedders may rely on it; changes follow semantic versioning.
 */
package dev.pgcdc.api.config;
