package dev.pgcdc.metrics.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.metrics.MetricLabels;
import dev.pgcdc.metrics.ServiceMeters;
import dev.pgcdc.metrics.slot.SlotFigures;
import dev.pgcdc.metrics.slot.SlotMonitor;
import dev.pgcdc.metrics.status.ServiceState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import jdk.jfr.FlightRecorder;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /debug/threads} and {@code /debug/jfr} with {@code pgcdc.http.debug = true} (off: see {@link StatusServerTest}). */
class DebugEndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SlotFigures SLOT = new SlotFigures("orders_slot", true, true, 4242,
            Lsn.parse("0/1000"), Lsn.parse("0/1800"), Lsn.parse("0/2000"), "reserved", Instant.parse("2026-01-01T00:00:00Z"));

    private final ServiceMeters meters = new ServiceMeters(new MetricLabels("orders_slot", "db1"));
    private final SlotMonitor monitor = new SlotMonitor(() -> SLOT, Duration.ofMinutes(1), meters.registry());
    private final StatusServer server = new StatusServer(new HttpSettings("127.0.0.1", 0, true), meters, monitor, new ServiceState(), "orders_slot");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        monitor.close();
        meters.close();
    }

    @Test
    void threadDumpHasEveryThreadWithItsWholeStackAndLocksInTheJstackLayout() throws Exception {
        Object monitorLock = new Object();
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread pipeline = new Thread(() -> {
            synchronized (monitorLock) {
                lock.lock();
                try {
                    holding.countDown();
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    lock.unlock();
                }
            }
        }, "pgcdc-pipeline");
        pipeline.start();
        try {
            assertThat(holding.await(60, TimeUnit.SECONDS)).isTrue();

            HttpResponse<String> response = get("/debug/threads");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
            String dump = response.body();
            assertThat(dump).contains("Full thread dump ", "\"pgcdc-http-1\" #", "\"pgcdc-pipeline\" #",
                    "   java.lang.Thread.State: WAITING", "/java.util.concurrent.CountDownLatch.await(CountDownLatch.java:",
                    "\t- locked <0x", "(a java.lang.Object)", "Locked ownable synchronizers:",
                    "(a java.util.concurrent.locks.ReentrantLock$NonfairSync)");
            String pipelineSection = dump.substring(dump.indexOf("\"pgcdc-pipeline\""));
            pipelineSection = pipelineSection.substring(0, pipelineSection.indexOf("\n\n\""));
            assertThat(pipelineSection).contains(DebugEndpointsTest.class.getName() + ".lambda$");
        } finally {
            release.countDown();
            pipeline.join(60_000);
        }
    }

    @Test
    void jfrRecordsTheGivenSecondsAndSendsTheFileWithAName() throws Exception {
        long startedAt = System.nanoTime();

        HttpResponse<Path> response = http.send(request("/debug/jfr?seconds=1"), HttpResponse.BodyHandlers.ofFile(dir.resolve("profile.jfr")));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - startedAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(response.headers().firstValue("Content-Type")).contains("application/octet-stream");
        assertThat(response.headers().firstValue("Content-Disposition").orElseThrow())
                .matches("attachment; filename=\"pgcdc-\\d{8}T\\d{6}Z\\.jfr\"");
        List<String> types = new ArrayList<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(response.body())) {
            types.add(event.getEventType().getName());
        }
        assertThat(types).isNotEmpty().contains("jdk.CPULoad", "jdk.JVMInformation");
        // the temporary file is deleted just after the last byte is sent
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                assertThat(files.filter(file -> file.getFileName().toString().matches("pgcdc-.*\\.jfr"))).as("temporary files").isEmpty();
            }
        });
    }

    @Test
    void aSecondRecordingWhileOneRunsIs409AndTheOtherEndpointsStillAnswer() throws Exception {
        CompletableFuture<HttpResponse<byte[]>> first = http.sendAsync(request("/debug/jfr?seconds=4"), HttpResponse.BodyHandlers.ofByteArray());
        waitForRecording();

        HttpResponse<String> second = get("/debug/jfr?seconds=1");
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(second.body()).get("error").asText()).contains("already running");
        // the two HTTP threads are free while the recording runs
        assertThat(first).isNotDone();
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/debug/threads").body()).contains("\"pgcdc-http-jfr\" #");
        assertThat(get("/status").statusCode()).isEqualTo(200);
        assertThat(first).isNotDone();

        assertThat(first.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        // and when it has been sent, the next one may start
        assertThat(http.send(request("/debug/jfr?seconds=1"), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    }

    @Test
    void secondsOutsideItsRangeOrNotANumberIs400NamingTheParameter() throws Exception {
        for (String seconds : List.of("0", "301", "abc", "", "1.5", "-3")) {
            HttpResponse<String> response = get("/debug/jfr?seconds=" + seconds);
            assertThat(response.statusCode()).as(seconds).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).get("error").asText())
                    .isEqualTo("seconds must be a whole number of seconds from 1 to 300 (the recording's length; default 30), was \""
                            + seconds + "\"");
        }
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(uri("/debug/jfr")).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(405);
    }

    @Test
    void closingTheServerDuringARecordingDropsIt() {
        CompletableFuture<HttpResponse<byte[]>> running = http.sendAsync(request("/debug/jfr?seconds=300"), HttpResponse.BodyHandlers.ofByteArray());
        waitForRecording();

        server.close();

        assertThat(running).failsWithin(Duration.ofSeconds(60));
        assertThat(FlightRecorder.getFlightRecorder().getRecordings())
                .noneMatch(recording -> "pgcdc-debug".equals(recording.getName()));
    }

    private static void waitForRecording() {
        await().atMost(Duration.ofSeconds(60)).until(() -> FlightRecorder.getFlightRecorder().getRecordings().stream()
                .anyMatch(recording -> "pgcdc-debug".equals(recording.getName())));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120)).GET().build();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
