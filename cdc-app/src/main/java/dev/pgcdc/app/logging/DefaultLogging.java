package dev.pgcdc.app.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration until the service's own is read: info, text, on standard output, found by
 * Logback through {@code META-INF/services}. Ranked below a user's {@code logback.xml}, which, when
 * present, wins (and {@code pgcdc.logging} then replaces it at start).
 */
@ConfiguratorRank(ConfiguratorRank.FALLBACK + 1)
public final class DefaultLogging extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        LogbackSetup.configure(context, LoggingSettings.defaults());
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
