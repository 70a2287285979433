package dev.pgcdc.app.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.app.config.ConfigLoader;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.lifecycle.Service;
import dev.pgcdc.app.plugin.PluginCatalog;
import dev.pgcdc.app.wiring.ServiceBootstrap;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole service wired by Guice from a HOCON file, against the real PostgreSQL and Kafka, scraped over HTTP while it runs. */
@TestEnvironment
class ServiceWiringIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    @Test
    void streamsChangesFromAHoconFileAndReportsThemOnStatusAndMetrics(PostgresDatabase postgres, KafkaCluster kafka) throws Exception {
        DemoSetup setup = new DemoSetup(postgres, kafka);
        ClassLoader classLoader = getClass().getClassLoader();
        PluginCatalog catalog = PluginCatalog.discover(classLoader);
        ServiceConfiguration configuration = ServiceConfiguration.load(setup.writeConfig(directory, ""), new ConfigLoader(classLoader), catalog);
        Service service = ServiceBootstrap.create(configuration, catalog);
        Lsn beforeDelete;
        try {
            service.start();
            postgres.execute(
                    "INSERT INTO " + setup.table + " (name, email) VALUES ('ada', 'ada@example.com'), ('grace', 'grace@example.com')",
                    "INSERT INTO " + setup.table + " (name) VALUES ('edsger')",
                    "UPDATE " + setup.table + " SET email = 'g@example.com' WHERE name = 'grace'");
            beforeDelete = Lsn.parse(postgres.queryValue(String.class, "SELECT pg_current_wal_lsn()::text"));
            postgres.execute("DELETE FROM " + setup.table + " WHERE name = 'edsger'");

            List<ConsumerRecord<String, String>> records = kafka.awaitRecords(setup.topic, 5, Duration.ofSeconds(60));
            assertThat(records).extracting(r -> JSON.readTree(r.value()).get("op").asText()).containsExactly("c", "c", "c", "u", "d");
            assertThat(records).extracting(ConsumerRecord::key).containsExactly("{\"id\":1}", "{\"id\":2}", "{\"id\":3}", "{\"id\":2}", "{\"id\":3}");

            HttpResponse<String> status = get(service, "/status");
            assertThat(status.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(status.body());
            assertThat(Map.of("status", body.get("status").asText(), "role", body.get("role").asText(), "phase", body.get("phase").asText(),
                    "slot", body.get("slot").asText()))
                    .isEqualTo(Map.of("status", "up", "role", "active", "phase", "streaming", "slot", setup.slot));
            assertThat(Lsn.parse(body.get("confirmedLsn").asText()).isValid()).isTrue();
            assertThat(body.get("lagBytes").asLong()).isNotNegative();
            assertThat(status.body()).doesNotContain(postgres.password().isEmpty() ? "\u0000" : postgres.password());

            String labels = "host=\"" + postgres.host() + "\",slot_name=\"" + setup.slot + "\"";
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(get(service, "/metrics").body()).contains(
                    "pgcdc_insert_total{" + labels + "} 3.0",
                    "pgcdc_update_total{" + labels + "} 1.0",
                    "pgcdc_delete_total{" + labels + "} 1.0",
                    "pgcdc_write_total{" + labels + ",topic_name=\"" + setup.topic + "\"} 5.0",
                    "pgcdc_err_total{" + labels + ",topic_name=\"none\"} 0.0",
                    "pgcdc_slot_active{" + labels + "} 1.0",
                    "pgcdc_source_connected{" + labels + "} 1.0", // the source's own gauge, through PluginContext.meters()
                    "pgcdc_snapshot_in_progress{" + labels + "} 0.0",
                    "pgcdc_process_latency_current{" + labels + "}",
                    "pgcdc_bulk_request_process_latency_current{" + labels + "}",
                    "pgcdc_slot_lag_bytes{" + labels + "}",
                    "jvm_memory_used_bytes{"));

            HttpResponse<String> slot = get(service, "/slot");
            assertThat(slot.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(slot.body()).get("active").asBoolean()).isTrue();
            assertThat(get(service, "/health/ready").statusCode()).isEqualTo(200);
            assertThat(get(service, "/health/live").statusCode()).isEqualTo(200);
        } finally {
            service.stop();
        }
        try {
            // stopped cleanly: the slot is released and confirmed past everything Kafka took
            Map<String, Object> slot = postgres.query("SELECT active, confirmed_flush_lsn::text AS confirmed FROM pg_replication_slots"
                    + " WHERE slot_name = ?", setup.slot).get(0);
            assertThat(slot.get("active")).isEqualTo(false);
            assertThat(Lsn.parse((String) slot.get("confirmed")).isAfter(beforeDelete)).isTrue();
            assertThat(service.failure()).isEmpty();
        } finally {
            setup.dropSlot();
        }
    }

    private HttpResponse<String> get(Service service, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort() + path)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
