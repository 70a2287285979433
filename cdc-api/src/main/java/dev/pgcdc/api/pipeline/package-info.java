/**
 * What a pipeline is configured with and reports through, as plugins and embedders see it: its settings
 * ({@link dev.pgcdc.api.pipeline.PipelineSettings}, {@link dev.pgcdc.api.pipeline.ErrorPolicy}), the dead-letter
 * encoding a handler may supply ({@link dev.pgcdc.api.pipeline.DeadLetterEncoder}) and the observer metrics
 * implement ({@link dev.pgcdc.api.pipeline.PipelineListener}). The loop itself is the runtime's
 * {@link dev.pgcdc.api.runtime.Pipeline}. JDK only.
 * <p>Stable API: plugins and embedders may rely on it; changes follow semantic versioning.
 */
package dev.pgcdc.api.pipeline;
