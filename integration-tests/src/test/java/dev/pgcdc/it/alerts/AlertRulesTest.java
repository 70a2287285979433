package dev.pgcdc.it.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.it.alerts.AlertRules.Rule;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shipped rules file parses as Prometheus rules with a {@code for:} on every alert, and the name
 * extraction that {@link AlertRulesEndToEndIT} resolves against {@code /metrics} finds metric names and
 * only those.
 */
class AlertRulesTest {

    @Test
    void theShippedFileHasAlertingRulesEachWithAnExprAndAForDuration() {
        AlertRules rules = AlertRules.read(AlertRules.SHIPPED);

        assertThat(rules.rules()).extracting(Rule::alert).contains("PgcdcDown", "PgcdcRestartLoop", "PgcdcSlotInactive",
                "PgcdcSlotLagGrowing", "PgcdcNoConfirmedProgress", "PgcdcRetainedWalHigh", "PgcdcErrors", "PgcdcLatencyHigh", "PgcdcStalled",
                "PgcdcSlotWalExtended", "PgcdcSlotWalUnreserved", "PgcdcSlotWalLost", "PgcdcNoActiveInstance", "PgcdcRoleFlapping");
        assertThat(rules.rules()).extracting(Rule::alert).doesNotHaveDuplicates();
        assertThat(rules.rules()).allSatisfy(rule -> assertThat(rule.forDuration()).as("for: of %s", rule.alert())
                .isNotNull().matches("\\d+[smhd]"));
    }

    @Test
    void namesAreFoundBesideFunctionsLabelsRangesAggregationsAndNumbers() {
        assertThat(PromQlMetricNames.of("sum by (job, instance) (rate(pgcdc_insert_total{topic_name=\"a b\", job=~'x.*'}[5m]))"
                + " / ignoring(topic_name) group_left max(pgcdc_slot_lag_bytes offset 5m) > 60e9 and on(slot_name) up == 0"))
                .isEqualTo(Set.of("pgcdc_insert_total", "pgcdc_slot_lag_bytes", "up"));
        assertThat(PromQlMetricNames.of("changes(process_start_time_seconds[30m]) >= 3 unless bool 1.5e-3"))
                .isEqualTo(Set.of("process_start_time_seconds"));
    }

    @Test
    void aRuleNamingAMetricNoOneServesYieldsThatName() {
        AlertRules rules = AlertRules.parse("""
                groups:
                  - name: g
                    rules:
                      - record: job:up:sum
                        expr: sum(up)
                      - alert: Typo
                        expr: pgcdc_slot_lag_byte > 1
                        for: 1m
                """);

        assertThat(rules.rules()).singleElement().satisfies(rule -> assertThat(PromQlMetricNames.of(rule.expr()))
                .isEqualTo(Set.of("pgcdc_slot_lag_byte")));
    }

    @Test
    void aFileThatIsNoRulesFileIsRefused() {
        assertThatThrownBy(() -> AlertRules.parse("alerts: []")).hasMessageContaining("no groups");
        assertThatThrownBy(() -> AlertRules.parse("groups:\n  - name: g\n    rules:\n      - alert: A\n        for: 1m\n"))
                .hasMessageContaining("alert A has no expr");
    }
}
