package dev.pgcdc.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PluginMetersTest {

    private final ServiceMeters meters = new ServiceMeters(new MetricLabels("orders_slot", "db1"));
    private final PluginMeters registrar = new PluginMeters(meters.registry());

    @AfterEach
    void close() {
        meters.close();
    }

    @Test
    void aPluginsGaugeIsServedWithTheServiceLabelsAndItsOwn() {
        AtomicLong open = new AtomicLong(3);
        registrar.gauge("pgcdc.example.open.files", "Files the example sink holds open", Map.of("kind", "spill"), open::get);

        assertThat(meters.scrape()).contains("pgcdc_example_open_files{host=\"db1\",kind=\"spill\",slot_name=\"orders_slot\"} 3.0");
        open.set(5);
        assertThat(meters.scrape()).contains("pgcdc_example_open_files{host=\"db1\",kind=\"spill\",slot_name=\"orders_slot\"} 5.0");
    }

    @Test
    void aPluginsCounterReadsItsTotalAtEachScrapeEvenWhenThePluginKeepsNoReference() {
        AtomicLong written = new AtomicLong();
        registrar.counter("pgcdc.example.lines", "Lines the example sink wrote", () -> written.get());
        written.addAndGet(42);
        System.gc(); // the registrar, not the plugin, keeps the function alive

        assertThat(meters.scrape()).contains("pgcdc_example_lines_total{host=\"db1\",slot_name=\"orders_slot\"} 42.0");
    }
}
