package dev.pgcdc.metrics.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.metrics.status.ActiveInstance;
import dev.pgcdc.metrics.status.ServiceState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailoverMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ServiceState state = new ServiceState();
    private final AtomicLong now = new AtomicLong();
    private final FailoverMetrics metrics = new FailoverMetrics(registry, state, now::get);

    @Test
    void roleTakeoversLastTakeoverAndTimeAsActiveInThePrometheusNames() {
        state.passive(new ActiveInstance(7, "pgcdc a", null));
        assertThat(registry.scrape()).contains("pgcdc_role 0.0", "pgcdc_takeovers_total 0.0", "pgcdc_last_takeover_seconds NaN",
                "pgcdc_active_time_seconds_total 0.0");

        state.active();
        metrics.becameActive(Optional.of(Duration.ofMillis(1500)));
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));

        assertThat(registry.scrape()).contains("pgcdc_role 1.0", "pgcdc_takeovers_total 1.0", "pgcdc_last_takeover_seconds 1.5",
                "pgcdc_active_time_seconds_total 10.0");

        metrics.becamePassive();
        now.addAndGet(TimeUnit.SECONDS.toNanos(5));
        metrics.becameActive(Optional.empty());
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));

        assertThat(registry.scrape()).contains("pgcdc_takeovers_total 1.0", "pgcdc_active_time_seconds_total 12.0");
    }
}
