/**
 * The pgcdc core: exceptions shared by every module; sub-packages hold the domain model, the ports, the
 * settings facility and, apart from them, the runtime ({@link dev.pgcdc.api.runtime}).
 * <p>Stable API: plugins and embedders may rely on it; changes follow semantic versioning.
 */
package dev.pgcdc.api;
