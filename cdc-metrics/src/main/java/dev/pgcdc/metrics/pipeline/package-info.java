/** Meters of the streaming pipeline, fed by its {@link dev.pgcdc.api.pipeline.PipelineListener} hooks. */
package dev.pgcdc.metrics.pipeline;
