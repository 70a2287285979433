package dev.pgcdc.metrics.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Configuration;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /debug/jfr?seconds=N}: records N seconds of JDK Flight Recorder events with the JDK's
 * {@code profile} settings and answers with the {@code .jfr} file.
 *
 * <p>The HTTP server has only two threads, so the request's thread does not wait out the recording: it
 * starts the recording and hands the exchange to this class's own thread ({@code pgcdc-http-jfr}), which
 * stops the recording after N seconds and writes the answer. One recording at a time: a request while one
 * runs gets 409.
 */
final class JfrRecorder implements AutoCloseable {

    static final int MIN_SECONDS = 1;
    static final int MAX_SECONDS = 300;
    static final int DEFAULT_SECONDS = 30;

    private static final Logger LOG = LoggerFactory.getLogger(JfrRecorder.class);
    private static final String JSON = "application/json";
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "pgcdc-http-jfr");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Recording current;

    /**
     * Answers the request, now when it is refused, later when a recording was started.
     *
     * @return true when the exchange was handed over (the caller must not close it)
     */
    boolean start(HttpExchange exchange) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "GET");
            StatusServer.respond(exchange, 405, JSON, StatusJson.error("/debug/jfr answers GET only (HEAD would start a recording)"));
            return false;
        }
        String seconds = parameter(exchange.getRequestURI().getRawQuery(), "seconds");
        int length;
        try {
            length = seconds == null ? DEFAULT_SECONDS : Integer.parseInt(seconds);
        } catch (NumberFormatException e) {
            length = -1;
        }
        if (length < MIN_SECONDS || length > MAX_SECONDS) {
            StatusServer.respond(exchange, 400, JSON, StatusJson.error("seconds must be a whole number of seconds from " + MIN_SECONDS
                    + " to " + MAX_SECONDS + " (the recording's length; default " + DEFAULT_SECONDS + "), was \"" + seconds + "\""));
            return false;
        }
        if (!FlightRecorder.isAvailable()) {
            StatusServer.respond(exchange, 503, JSON, StatusJson.error("JDK Flight Recorder is not available in this JVM"
                    + " (it was started with -XX:-FlightRecorder, or the runtime lacks the jdk.jfr module)"));
            return false;
        }
        if (!busy.compareAndSet(false, true)) {
            StatusServer.respond(exchange, 409, JSON, StatusJson.error("a JFR recording is already running; ask again when it has been sent"));
            return false;
        }
        Recording recording;
        try {
            recording = new Recording(Configuration.getConfiguration("profile"));
            recording.setName("pgcdc-debug");
            recording.setToDisk(true);
            recording.start();
        } catch (IOException | ParseException | RuntimeException e) {
            busy.set(false);
            LOG.warn("cannot start a JFR recording", e);
            StatusServer.respond(exchange, 500, JSON, StatusJson.error("cannot start a JFR recording: " + e));
            return false;
        }
        current = recording;
        try {
            timer.schedule(() -> finish(recording, exchange), length, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            discard(recording);
            StatusServer.respond(exchange, 503, JSON, StatusJson.error("the HTTP endpoints are stopping"));
            return false;
        }
        LOG.info("JFR recording of {} s started for {}", length, exchange.getRemoteAddress());
        return true;
    }

    private void finish(Recording recording, HttpExchange exchange) {
        Path file = null;
        boolean answered = false;
        try (exchange) {
            try {
                recording.stop();
                file = Files.createTempFile("pgcdc-", ".jfr");
                recording.dump(file);
                String name = "pgcdc-" + FILE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + ".jfr";
                exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + name + "\"");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(200, Files.size(file));
                answered = true;
                try (OutputStream out = exchange.getResponseBody()) {
                    Files.copy(file, out);
                }
                LOG.info("JFR recording sent as {} ({} bytes)", name, Files.size(file));
            } catch (IOException | RuntimeException e) {
                LOG.warn("JFR recording could not be {}", answered ? "sent (did the client hang up?)" : "written", e);
                if (!answered) {
                    StatusServer.respond(exchange, 500, JSON, StatusJson.error("JFR recording could not be written: " + e));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("JFR answer not delivered", e);
        } finally {
            delete(file);
            discard(recording);
        }
    }

    private void discard(Recording recording) {
        recording.close();
        current = null;
        busy.set(false);
    }

    private static void delete(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete the temporary JFR file {}", file, e);
        }
    }

    private static String parameter(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            if (key.equals(name)) {
                return equals < 0 ? "" : pair.substring(equals + 1);
            }
        }
        return null;
    }

    /** Drops a recording still running; its request is cut off by the server's stop. */
    @Override
    public void close() {
        timer.shutdownNow();
        Recording running = current;
        if (running != null) {
            running.close();
        }
    }
}
