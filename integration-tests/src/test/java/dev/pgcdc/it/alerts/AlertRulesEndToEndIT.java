package dev.pgcdc.it.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.it.alerts.AlertRules.Rule;
import dev.pgcdc.it.service.MetricsScrape;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/alerts/pgcdc-rules.yml names only series that exist: every metric name in every alert's
 * expression is one the packaged service serves on {@code GET /metrics} (scraped once it has streamed a
 * change, so the per-topic counters exist too), or {@code up}, which Prometheus itself records per
 * scrape. A rule naming anything else would never fire; this test fails instead, naming the rule and the
 * name.
 */
@TestEnvironment
class AlertRulesEndToEndIT {

    /** Series Prometheus records itself for every scrape target. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service's output
    Path directory;

    @Test
    void everyMetricNameInTheShippedRulesIsServedByTheService(PostgresDatabase postgres, KafkaCluster kafka) {
        AlertRules rules = AlertRules.read(AlertRules.SHIPPED);
        String table = TestNames.unique("alerts");
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY)");
        ServiceConfig config = ServiceConfig.of(postgres, kafka).publication(table + "_pub", true).slot(TestNames.unique("alerts"), true)
                .table(table, kafka.createTopic(TestNames.unique("alerts")))
                .with("pgcdc.metrics.slot-interval = 1s");
        ReplicationSlot slot = new ReplicationSlot(postgres, config.slot());
        try {
            MetricsScrape metrics;
            try (PgcdcProcess service = PgcdcProcess.run(config.writeTo(directory), directory, "service")) {
                slot.awaitStreamingBy(service, Duration.ofSeconds(60));
                int port = service.awaitHttpPort(Duration.ofSeconds(30));
                postgres.execute("INSERT INTO " + table + " VALUES (1)");
                slot.awaitConfirmed(ReplicationSlot.currentWalLsn(postgres), service, Duration.ofSeconds(60));
                metrics = MetricsScrape.of(port);
                service.stopGracefully(Duration.ofSeconds(60));
            }

            Set<String> served = metrics.names("");
            Map<String, Set<String>> unknownByAlert = new TreeMap<>();
            for (Rule rule : rules.rules()) {
                Set<String> unknown = new TreeSet<>(PromQlMetricNames.of(rule.expr()));
                unknown.removeAll(served);
                unknown.removeAll(PROMETHEUS_OWN);
                if (!unknown.isEmpty()) {
                    unknownByAlert.put(rule.alert(), unknown);
                }
            }
            assertThat(unknownByAlert).as("metric names in %s that GET /metrics does not serve (it serves %s)", AlertRules.SHIPPED, served)
                    .isEmpty();
            assertThat(rules.rules()).as("alerts in %s", AlertRules.SHIPPED).isNotEmpty();
        } finally {
            slot.drop();
        }
    }
}
