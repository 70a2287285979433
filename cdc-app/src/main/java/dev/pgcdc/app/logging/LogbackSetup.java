package dev.pgcdc.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Configures Logback in code: one console appender on standard output, text or JSON lines, the
 * root level and per-logger levels of {@link LoggingSettings}. Also routes {@code java.util.logging}
 * (pgjdbc) into SLF4J; {@code System.Logger} (cdc-api) gets there through
 * {@code slf4j-jdk-platform-logging}. Called once at start, before the service logs anything that
 * matters, and again whenever settings change; each call replaces the previous configuration.
 */
public final class LogbackSetup {

    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n";

    private LogbackSetup() {
    }

    /** Applies {@code settings} to the running Logback. */
    public static void apply(LoggingSettings settings) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J binding is in charge (e.g. when embedded); leave it alone
        }
        configure(context, settings);
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    static void configure(LoggerContext context, LoggingSettings settings) {
        context.reset();
        // keeps java.util.logging's levels in step, so disabled JUL logging costs nothing
        LevelChangePropagator propagator = new LevelChangePropagator();
        propagator.setContext(context);
        propagator.setResetJUL(true);
        propagator.start();
        context.addListener(propagator);

        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setEncoder(encoder(context, settings.format()));
        console.start();

        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(settings.level(), Level.INFO));
        root.addAppender(console);
        for (Map.Entry<String, String> logger : settings.loggers().entrySet()) {
            context.getLogger(logger.getKey()).setLevel(Level.toLevel(logger.getValue(), Level.INFO));
        }
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext context, LogFormat format) {
        if (format == LogFormat.JSON) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            // one readable "formattedMessage" instead of the pattern plus its arguments
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.start();
            return json;
        }
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern(TEXT_PATTERN);
        text.start();
        return text;
    }
}
