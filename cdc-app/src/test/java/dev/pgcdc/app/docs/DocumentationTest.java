package dev.pgcdc.app.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import dev.pgcdc.app.TestConfigs;
import dev.pgcdc.app.config.ConfigLoader;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.plugin.PluginCatalog;
import dev.pgcdc.metrics.PluginMeters;
import dev.pgcdc.metrics.MetricLabels;
import dev.pgcdc.metrics.ServiceMeters;
import dev.pgcdc.metrics.failover.FailoverMetrics;
import dev.pgcdc.metrics.pipeline.PipelineMetrics;
import dev.pgcdc.metrics.slot.SlotFigures;
import dev.pgcdc.metrics.slot.SlotMonitor;
import dev.pgcdc.metrics.snapshot.SnapshotMetrics;
import dev.pgcdc.metrics.status.ServiceState;
import dev.pgcdc.api.position.Lsn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user documentation keeps up with the code: every configuration key and every metric is documented and charted. */
class DocumentationTest {

    private static final Path DOCS = Path.of("..", "docs");

    @Test
    void theConfigurationReferenceNamesEveryKeyOfEveryReferenceConf() throws IOException {
        String reference = Files.readString(DOCS.resolve("configuration.md"));
        Config defaults = new ConfigLoader(getClass().getClassLoader()).reference().getConfig("pgcdc");

        Set<String> missing = new TreeSet<>();
        defaults.entrySet().forEach(entry -> {
            List<String> path = ConfigUtil.splitPath(entry.getKey());
            String last = path.get(path.size() - 1);
            String tail = path.size() > 1 ? path.get(path.size() - 2) + "." + last : last;
            if (!path.contains("loggers") && !reference.contains("`" + last + "`") && !reference.contains("`" + tail + "`")
                    && !reference.contains(tail + "`")) {
                missing.add("pgcdc." + entry.getKey());
            }
        });
        assertThat(missing).as("keys missing from docs/configuration.md").isEmpty();
    }

    @Test
    void theOperationsGuideAndTheDashboardCoverEveryPgcdcMetric(@TempDir Path directory) throws IOException {
        String operations = Files.readString(DOCS.resolve("operations.md"));
        String dashboard = Files.readString(DOCS.resolve("grafana-dashboard.json"));
        Set<String> metrics = new TreeSet<>();
        try (ServiceMeters meters = new ServiceMeters(new MetricLabels("slot", "host"))) {
            new PipelineMetrics(meters.registry(), table -> "topic");
            new SnapshotMetrics(meters.registry());
            new FailoverMetrics(meters.registry(), new ServiceState());
            SlotMonitor slots = new SlotMonitor(() -> SlotFigures.missing("slot", Lsn.INVALID, Instant.EPOCH), Duration.ofMinutes(1),
                    meters.registry());
            slots.close();
            Path file = Files.writeString(directory.resolve("app.conf"), TestConfigs.MINIMAL);
            ClassLoader loader = getClass().getClassLoader();
            ServiceConfiguration configuration = ServiceConfiguration.load(file, new ConfigLoader(loader), PluginCatalog.discover(loader));
            // the source's own meters, registered through PluginContext.meters() as the service does
            PluginCatalog.selectSource(PluginCatalog.discover(loader).sources())
                    .create(configuration.context().withMeters(new PluginMeters(meters.registry())))
                    .close();
            Matcher names = Pattern.compile("(?m)^(pgcdc_[a-z_]+)\\{").matcher(meters.scrape());
            while (names.find()) {
                metrics.add(names.group(1));
            }
        }

        metrics.add("pgcdc_write_total"); // registered per topic on the first durable record
        assertThat(metrics).hasSizeGreaterThan(20);
        assertThat(metrics).contains("pgcdc_source_connected", "pgcdc_source_in_flight_events");
        assertThat(metrics).allSatisfy(metric -> assertThat(operations).as("docs/operations.md").contains(metric));
        assertThat(metrics).filteredOn(metric -> !metric.startsWith("pgcdc_source_")) // not charted yet
                .allSatisfy(metric -> assertThat(dashboard).as("docs/grafana-dashboard.json").contains(metric));
    }
}
