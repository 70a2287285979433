/**
 * The runtime: the core loop ({@link dev.pgcdc.api.runtime.Pipeline}: poll, handle, write, acknowledge, with
 * bounded in-flight work and a bounded shutdown) with its package-private helpers, and the default
 * {@link dev.pgcdc.api.position.PositionTracker} ({@link dev.pgcdc.api.runtime.OrderedPositionTracker}). No plugin
 * implements or receives these classes (a source may make an {@code OrderedPositionTracker} for itself), and the
 * contracts of the other packages never reference them: the ArchUnit rule {@code StableApiTest} of cdc-app.
 * A package of cdc-api rather than a {@code dev.pgcdc.core} module or root of its own, so that it stays under
 * cdc-api's one root package and its rules (JDK only), in the one jar embedders already depend on. Usable with
 * plain {@code new} and builders.
 * <p>Runtime, not an API contract: may change in any release; embedders use it through
 * {@code new Pipeline(name, source, handler, sink[, settings, listener])}, {@code start()}, {@code stop()} and
 * {@code failure()}, and sources through {@code new OrderedPositionTracker()} held as a {@code PositionTracker};
 * everything they pass in or get back is a stable type of the other packages.
 */
package dev.pgcdc.api.runtime;
