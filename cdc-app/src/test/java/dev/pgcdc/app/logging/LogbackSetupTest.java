package dev.pgcdc.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogbackSetupTest {

    private final LoggerContext context = new LoggerContext();

    LogbackSetupTest() {
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    }

    @Test
    void jsonFormatWritesOneObjectPerLineWithTheFormattedMessage() throws Exception {
        LogbackSetup.configure(context, new LoggingSettings("info", LogFormat.JSON, Map.of()));

        byte[] line = encoder().encode(event("slot {} streaming", "shop_slot"));

        String text = new String(line, StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n").hasLineCount(1);
        JsonNode json = new ObjectMapper().readTree(text);
        assertThat(json.get("level").asText()).isEqualTo("INFO");
        assertThat(json.get("loggerName").asText()).isEqualTo("dev.pgcdc.test");
        assertThat(json.get("formattedMessage").asText()).isEqualTo("slot shop_slot streaming");
    }

    @Test
    void textFormatWritesOneLine() {
        LogbackSetup.configure(context, new LoggingSettings("info", LogFormat.TEXT, Map.of()));

        String text = new String(encoder().encode(event("slot {} streaming", "shop_slot")), StandardCharsets.UTF_8);

        assertThat(text).matches("\\d{4}-\\d\\d-\\d\\dT.* INFO  \\[main\\] dev\\.pgcdc\\.test - slot shop_slot streaming\\R");
    }

    @Test
    void setsTheRootLevelAndTheLevelsOfSingleLoggers() {
        LogbackSetup.configure(context, new LoggingSettings("warn", LogFormat.TEXT, Map.of("org.postgresql", "debug")));

        assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("org.postgresql.core").getEffectiveLevel()).isEqualTo(Level.DEBUG);
    }

    private ch.qos.logback.core.encoder.Encoder<ILoggingEvent> encoder() {
        ConsoleAppender<ILoggingEvent> console =
                (ConsoleAppender<ILoggingEvent>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("console");
        return console.getEncoder();
    }

    private ILoggingEvent event(String message, Object argument) {
        ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
                "dev.pgcdc.test", context.getLogger("dev.pgcdc.test"), Level.INFO, message, null, new Object[] {argument});
        event.setThreadName("main");
        return event;
    }
}
