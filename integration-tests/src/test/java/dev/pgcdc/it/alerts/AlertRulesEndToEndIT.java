package dev.pgcdc.it.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.it.alerts.AlertRules.Rule;
import dev.pgcdc.it.service.MetricsScrape;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceFixture;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    @RegisterExtension
    final ServiceFixture service = ServiceFixture.named("alerts");

    @Test
    void everyMetricNameInTheShippedRulesIsServedByTheService(PostgresDatabase postgres, KafkaCluster kafka) {
        AlertRules rules = AlertRules.read(AlertRules.SHIPPED);
        String table = service.table();
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY)");
        service.config().with("pgcdc.metrics.slot-interval = 1s");
        MetricsScrape metrics;
        try (PgcdcProcess pgcdc = service.start("service")) {
            int port = pgcdc.awaitHttpPort(Duration.ofSeconds(30));
            postgres.execute("INSERT INTO " + table + " VALUES (1)");
            service.slot().awaitConfirmed(ReplicationSlot.currentWalLsn(postgres), pgcdc, Duration.ofSeconds(60));
            metrics = MetricsScrape.of(port);
            pgcdc.stopGracefully(Duration.ofSeconds(60));
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
    }
}
