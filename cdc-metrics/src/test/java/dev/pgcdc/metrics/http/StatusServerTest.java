package dev.pgcdc.metrics.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.metrics.MetricLabels;
import dev.pgcdc.metrics.ServiceMeters;
import dev.pgcdc.metrics.pipeline.PipelineMetrics;
import dev.pgcdc.metrics.slot.SlotFigures;
import dev.pgcdc.metrics.slot.SlotMonitor;
import dev.pgcdc.metrics.slot.SlotStatistics;
import dev.pgcdc.metrics.status.ActiveInstance;
import dev.pgcdc.metrics.status.Phase;
import dev.pgcdc.metrics.status.Role;
import dev.pgcdc.metrics.status.ServiceState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StatusServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SlotFigures STREAMING_SLOT = new SlotFigures("orders_slot", true, true, 4242,
            Lsn.parse("0/1000"), Lsn.parse("0/1800"), Lsn.parse("0/2000"), "reserved", Instant.parse("2026-01-01T00:00:00Z"));

    private final ServiceMeters meters = new ServiceMeters(new MetricLabels("orders_slot", "db1"));
    private final ServiceState state = new ServiceState();
    private volatile SlotFigures figures = STREAMING_SLOT;
    private volatile RuntimeException failure;
    private final SlotStatistics statistics = () -> {
        if (failure != null) {
            throw failure;
        }
        return figures;
    };
    private final SlotMonitor monitor = new SlotMonitor(statistics, Duration.ofMinutes(1), meters.registry());
    private final StatusServer server = new StatusServer(new HttpSettings("127.0.0.1", 0), meters, monitor, state, "orders_slot");
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        new PipelineMetrics(meters.registry(), table -> "users.0");
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        monitor.close();
        meters.close();
    }

    @Test
    void statusIs200WithRolePhaseSlotConfirmedLsnAndLagWhenPostgresAnswers() throws Exception {
        state.phase(Phase.STREAMING);

        HttpResponse<String> response = get("/status");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("up");
        assertThat(body.get("role").asText()).isEqualTo("active");
        assertThat(body.get("phase").asText()).isEqualTo("streaming");
        assertThat(body.get("slot").asText()).isEqualTo("orders_slot");
        assertThat(body.get("confirmedLsn").asText()).isEqualTo("0/1800");
        assertThat(body.get("lagBytes").asLong()).isEqualTo(2048);
    }

    @Test
    void statusIs503WithTheReasonWhenPostgresDoesNotAnswer() throws Exception {
        failure = new CdcException("connection to db1:5432 refused");
        state.role(Role.PASSIVE);

        HttpResponse<String> response = get("/status");

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("down");
        assertThat(body.get("role").asText()).isEqualTo("passive");
        assertThat(body.get("error").asText()).isEqualTo("PostgreSQL does not answer: connection to db1:5432 refused");
    }

    @Test
    void statusReportsAMissingSlotWithoutLag() throws Exception {
        figures = SlotFigures.missing("orders_slot", Lsn.parse("0/2000"), Instant.EPOCH);

        JsonNode body = JSON.readTree(get("/status").body());

        assertThat(body.get("slotExists").asBoolean()).isFalse();
        assertThat(body.get("confirmedLsn").isNull()).isTrue();
        assertThat(body.get("lagBytes").isNull()).isTrue();
    }

    @Test
    void metricsAreThePrometheusTextFormat() throws Exception {
        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).contains("# TYPE pgcdc_insert_total counter",
                "pgcdc_insert_total{host=\"db1\",slot_name=\"orders_slot\"} 0.0", "jvm_memory_used_bytes");
    }

    @Test
    void slotIsTheWholeReading() throws Exception {
        HttpResponse<String> response = get("/slot");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("""
                {"slot":"orders_slot","exists":true,"active":true,"pid":4242,"restartLsn":"0/1000",
                 "confirmedFlushLsn":"0/1800","currentLsn":"0/2000","lagBytes":2048,"retainedWalBytes":4096,
                 "walStatus":"reserved","observedAt":"2026-01-01T00:00:00Z"}"""));
    }

    @Test
    void readinessFollowsThePhaseAndLivenessTheFailure() throws Exception {
        assertThat(get("/health/ready").statusCode()).isEqualTo(503);
        assertThat(get("/health/live").statusCode()).isEqualTo(200);

        state.phase(Phase.STREAMING);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);

        state.failed("sink failed: topic users.0 does not exist");
        HttpResponse<String> live = get("/health/live");
        assertThat(live.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(live.body()).get("failure").asText()).isEqualTo("sink failed: topic users.0 does not exist");
        assertThat(get("/health/ready").statusCode()).isEqualTo(503);
    }

    @Test
    void aPassiveInstanceIsLiveAndReadyAndNamesTheActiveOneInStatus() throws Exception {
        state.instanceId("host-b-12");
        state.passive(new ActiveInstance(4242, "pgcdc host-a-7", "10.0.0.5/32"));

        JsonNode body = JSON.readTree(get("/status").body());

        assertThat(body.get("role").asText()).isEqualTo("passive");
        assertThat(body.get("phase").asText()).isEqualTo("standby");
        assertThat(body.get("instance").asText()).isEqualTo("host-b-12");
        assertThat(body.get("activeInstance").toString())
                .isEqualTo("{\"pid\":4242,\"applicationName\":\"pgcdc host-a-7\",\"clientAddress\":\"10.0.0.5/32\"}");
        assertThat(body.get("lagBytes").asLong()).isEqualTo(2048);
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);

        state.active();
        state.phase(Phase.STREAMING);
        JsonNode active = JSON.readTree(get("/status").body());
        assertThat(active.get("role").asText()).isEqualTo("active");
        assertThat(active.has("activeInstance")).isFalse();
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws Exception {
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/status")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void debugEndpointsDoNotExistWhenDebugIsOff() throws Exception {
        assertThat(get("/debug/threads").statusCode()).isEqualTo(404);
        HttpResponse<String> jfr = get("/debug/jfr?seconds=1");
        assertThat(jfr.statusCode()).isEqualTo(404);
        assertThat(jfr.body()).doesNotContain("/debug");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
