package dev.pgcdc.metrics.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pgcdc.api.CdcException;
import dev.pgcdc.metrics.ServiceMeters;
import dev.pgcdc.metrics.slot.SlotFigures;
import dev.pgcdc.metrics.slot.SlotMonitor;
import dev.pgcdc.metrics.status.ServiceState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP endpoints, on the JDK's {@link HttpServer}:
 * <ul>
 *   <li>{@code GET /status}: 200 when PostgreSQL answers (the slot is read there and then), with role,
 *       phase, slot, this instance's name, the active instance while passive, confirmed LSN and lag bytes
 *       as JSON; 503 with the error otherwise;</li>
 *   <li>{@code GET /metrics}: every meter in the Prometheus text format;</li>
 *   <li>{@code GET /slot}: the slot's figures as JSON (404 when there is no such slot, 503 when PostgreSQL does not answer);</li>
 *   <li>{@code GET /health/live}: 200 unless the service failed;</li>
 *   <li>{@code GET /health/ready}: 200 while passive (standby), snapshotting or streaming, 503 otherwise;</li>
 *   <li>only with {@link HttpSettings#debug()}: {@code GET /debug/threads}, a dump of every thread's stack
 *       ({@code jstack -l} layout), and {@code GET /debug/jfr?seconds=N}, a JDK Flight Recorder recording of
 *       N seconds (see {@link JfrRecorder}); without it they are 404.</li>
 * </ul>
 * Nothing secret is ever written: the bodies hold figures and state, not configuration. The debug
 * endpoints do show the service's internals (stacks, class names, a profile), hence off by default.
 *
 * <p>Lifecycle: {@link #start} then {@link #close} by one owner. Requests are served by two daemon
 * threads, {@code pgcdc-http-<n>}; a JFR recording is waited out on a third, {@code pgcdc-http-jfr}.
 */
public final class StatusServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
    private static final String JSON = "application/json";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String PLAIN_TEXT = "text/plain; charset=utf-8";

    private final HttpSettings settings;
    private final ServiceMeters meters;
    private final SlotMonitor slotMonitor;
    private final ServiceState state;
    private final String slotName;
    private HttpServer server;
    private ExecutorService executor;
    private JfrRecorder jfr;

    public StatusServer(HttpSettings settings, ServiceMeters meters, SlotMonitor slotMonitor, ServiceState state, String slotName) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.slotMonitor = Objects.requireNonNull(slotMonitor, "slotMonitor");
        this.state = Objects.requireNonNull(state, "state");
        this.slotName = Objects.requireNonNull(slotName, "slotName");
    }

    /**
     * Binds and starts serving.
     *
     * @throws CdcException when the address cannot be bound (e.g. the port is taken)
     */
    public synchronized void start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        HttpServer bound;
        try {
            bound = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 16);
        } catch (IOException | RuntimeException e) {
            throw new CdcException("cannot listen for HTTP on " + settings.host() + ":" + settings.port() + ": " + e.getMessage()
                    + "; set pgcdc.http.host and pgcdc.http.port to a free address", e);
        }
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "pgcdc-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        bound.setExecutor(executor);
        if (settings.debug()) {
            jfr = new JfrRecorder();
        }
        bound.createContext("/", this::handle);
        bound.start();
        server = bound;
        LOG.info("HTTP endpoints on http://{}:{}/ (status, metrics, slot, health/live, health/ready{})", settings.host(), port(),
                settings.debug() ? ", debug/threads, debug/jfr" : "");
        if (settings.debug()) {
            LOG.warn("pgcdc.http.debug = true: /debug/threads and /debug/jfr show thread stacks and profiles of this service to anyone"
                    + " who reaches {}:{}; bind pgcdc.http.host to 127.0.0.1 or a private network, and turn it off when done",
                    settings.host(), port());
        }
    }

    /** The port listened on (the one chosen when {@link HttpSettings#port()} is 0). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            if (jfr != null) {
                jfr.close();
                jfr = null;
            }
            server = null;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        boolean handedOver = false;
        try {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, JSON, StatusJson.error("only GET is supported"));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (settings.debug() && "/debug/jfr".equals(path)) {
                handedOver = jfr.start(exchange);
                return;
            }
            switch (path) {
                case "/status" -> status(exchange);
                case "/metrics" -> respond(exchange, 200, PROMETHEUS_TEXT, meters.scrape().getBytes(StandardCharsets.UTF_8));
                case "/slot" -> slot(exchange);
                case "/health/live" -> live(exchange);
                case "/health/ready" -> ready(exchange);
                case "/debug/threads" -> {
                    if (settings.debug()) {
                        respond(exchange, 200, PLAIN_TEXT, ThreadDump.take().getBytes(StandardCharsets.UTF_8));
                    } else {
                        notFound(exchange);
                    }
                }
                default -> notFound(exchange);
            }
        } catch (RuntimeException e) {
            LOG.warn("HTTP request {} failed", exchange.getRequestURI(), e);
        } finally {
            if (!handedOver) {
                exchange.close();
            }
        }
    }

    private void notFound(HttpExchange exchange) throws IOException {
        respond(exchange, 404, JSON, StatusJson.error("no such endpoint; try /status, /metrics, /slot, /health/live, /health/ready"
                + (settings.debug() ? ", /debug/threads, /debug/jfr?seconds=30" : "")));
    }

    private void status(HttpExchange exchange) throws IOException {
        SlotFigures figures;
        try {
            figures = slotMonitor.readNow();
        } catch (RuntimeException e) {
            respond(exchange, 503, JSON, StatusJson.down(state, slotName, String.valueOf(e.getMessage())));
            return;
        }
        respond(exchange, 200, JSON, StatusJson.up(state, slotName, figures));
    }

    private void slot(HttpExchange exchange) throws IOException {
        SlotFigures figures;
        try {
            figures = slotMonitor.readNow();
        } catch (RuntimeException e) {
            respond(exchange, 503, JSON, StatusJson.error("PostgreSQL does not answer: " + e.getMessage()));
            return;
        }
        respond(exchange, figures.exists() ? 200 : 404, JSON, StatusJson.slot(figures));
    }

    private void live(HttpExchange exchange) throws IOException {
        boolean failed = state.failure().isPresent();
        respond(exchange, failed ? 503 : 200, JSON, StatusJson.health(failed ? "down" : "up", state));
    }

    private void ready(HttpExchange exchange) throws IOException {
        boolean ready = state.phase().isReady();
        respond(exchange, ready ? 200 : 503, JSON, StatusJson.health(ready ? "up" : "down", state));
    }

    static void respond(HttpExchange exchange, int code, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(code, -1);
            return;
        }
        exchange.sendResponseHeaders(code, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
