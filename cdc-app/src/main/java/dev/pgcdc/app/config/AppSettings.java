package dev.pgcdc.app.config;

import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.app.logging.LoggingSettings;
import dev.pgcdc.metrics.http.HttpSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings cdc-app owns, as read from their declarations in {@link AppSections}.
 *
 * @param handlerName  ServiceLoader name of the handler
 * @param sinkName     ServiceLoader name of the sink
 * @param http         where the HTTP endpoints listen, and whether the debug endpoints are served
 * @param slotInterval how often the slot's figures are read
 * @param logging      log level and format
 * @param pipeline     in-flight bounds, error policy, shutdown timeout
 */
public record AppSettings(
        String handlerName,
        String sinkName,
        HttpSettings http,
        Duration slotInterval,
        LoggingSettings logging,
        PipelineSettings pipeline) {

    public AppSettings {
        Objects.requireNonNull(handlerName, "handlerName");
        Objects.requireNonNull(sinkName, "sinkName");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(slotInterval, "slotInterval");
        Objects.requireNonNull(logging, "logging");
        Objects.requireNonNull(pipeline, "pipeline");
    }
}
