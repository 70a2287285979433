package dev.pgcdc.it.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The results of all runs: one Markdown table of medians per workload and contender (the form
 * docs/benchmarks.md shows), and a JSON file with the conditions, every run and the medians.
 * The ratios are taken per run (the contender's rows/s over the limit's in the same run, on the
 * same WAL, or for the snapshot the same table), then their median.
 */
final class Report {

    private final List<Measurement> measurements = new ArrayList<>();
    private final Map<String, String> notMeasured = new LinkedHashMap<>();

    void add(Measurement measurement) {
        measurements.add(measurement);
        System.out.println("bench: " + measurement);
    }

    /** A workload that was asked for but gives no numbers, and why. */
    void notMeasured(String workload, String why) {
        notMeasured.put(workload, why);
        System.out.println("bench: " + workload + ": " + why);
    }

    /** The medians, one row per workload and contender, in the order they ran. */
    List<Map<String, Object>> medians() {
        Map<String, List<Measurement>> groups = new LinkedHashMap<>();
        for (Measurement m : measurements) {
            groups.computeIfAbsent(m.workload() + "\u0000" + m.contender(), key -> new ArrayList<>()).add(m);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (List<Measurement> group : groups.values()) {
            Measurement first = group.get(0);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("workload", first.workload());
            row.put("contender", first.contender());
            row.put("runs", group.size());
            row.put("rows", median(group, m -> (double) m.rows()));
            row.put("elapsedSeconds", median(group, Measurement::elapsedSeconds));
            row.put("rowsPerSecond", median(group, Measurement::rowsPerSecond));
            row.put("ratioToRecvlogicalProto1", median(group, m -> ratio(m, Measurement.RECVLOGICAL_1)));
            row.put("ratioToRecvlogicalProto2Streaming", median(group, m -> ratio(m, Measurement.RECVLOGICAL_2)));
            row.put("ratioToCopy", median(group, m -> ratio(m, Measurement.COPY)));
            row.put("ratioToProducer", median(group, m -> ratio(m, Measurement.PRODUCE)));
            row.put("firstRecordSeconds", median(group, Measurement::firstRecordSeconds));
            row.put("cpuSeconds", median(group, Measurement::cpuSeconds));
            row.put("cpuSecondsPerMillionRows", median(group, Measurement::cpuSecondsPerMillionRows));
            row.put("peakRssMb", median(group, Measurement::peakRssMb));
            row.put("postgresCpuSeconds", median(group, Measurement::postgresCpuSeconds));
            row.put("brokerCpuSeconds", median(group, Measurement::brokerCpuSeconds));
            row.put("latencyP50Millis", median(group, m -> m.latency() == null ? null : m.latency().p50Millis()));
            row.put("latencyP99Millis", median(group, m -> m.latency() == null ? null : m.latency().p99Millis()));
            row.put("latencyMaxMillis", median(group, m -> m.latency() == null ? null : m.latency().maxMillis()));
            row.put("commitsPerSecond", median(group, m -> m.latency() == null ? null : m.latency().commitsPerSecond()));
            rows.add(row);
        }
        return rows;
    }

    /** The table of medians, in Markdown. */
    String table() {
        StringBuilder text = new StringBuilder();
        text.append("| workload | contender | runs | rows | elapsed s | rows/s | x proto 1 | x proto 2 streaming | x COPY | x producer"
                + " | first record s | CPU s | CPU s per 1M rows | peak RSS MB | PostgreSQL CPU s | broker CPU s | p50 / p99 / max ms |\n");
        text.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> row : medians()) {
            text.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    row.get("workload"), row.get("contender"), row.get("runs"), number(row.get("rows"), "%.0f"),
                    number(row.get("elapsedSeconds"), "%.2f"), number(row.get("rowsPerSecond"), "%.0f"),
                    number(row.get("ratioToRecvlogicalProto1"), "%.2fx"), number(row.get("ratioToRecvlogicalProto2Streaming"), "%.2fx"),
                    number(row.get("ratioToCopy"), "%.2fx"), number(row.get("ratioToProducer"), "%.2fx"),
                    number(row.get("firstRecordSeconds"), "%.2f"), number(row.get("cpuSeconds"), "%.2f"),
                    number(row.get("cpuSecondsPerMillionRows"), "%.2f"), number(row.get("peakRssMb"), "%.0f"),
                    number(row.get("postgresCpuSeconds"), "%.2f"), number(row.get("brokerCpuSeconds"), "%.2f"),
                    row.get("latencyP50Millis") == null ? "" : number(row.get("latencyP50Millis"), "%.1f") + " / "
                            + number(row.get("latencyP99Millis"), "%.1f") + " / " + number(row.get("latencyMaxMillis"), "%.1f")
                            + String.format(Locale.ROOT, " (at %.0f commits/s)", (Double) row.get("commitsPerSecond"))));
        }
        notMeasured.forEach((workload, why) -> text.append("| ").append(workload).append(" | ").append(why)
                .append(" |  |  |  |  |  |  |  |  |  |  |  |  |  |  |  |\n"));
        return text.toString();
    }

    /** Writes the conditions, every run and the medians to {@code file}. */
    void writeJson(Path file, Map<String, Object> conditions) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("conditions", conditions);
        document.put("medians", medians());
        document.put("notMeasured", notMeasured);
        List<Map<String, Object>> runs = new ArrayList<>();
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        for (Measurement m : measurements) {
            @SuppressWarnings("unchecked")
            Map<String, Object> run = mapper.convertValue(m, LinkedHashMap.class);
            run.put("rowsPerSecond", m.rowsPerSecond());
            run.put("cpuSecondsPerMillionRows", m.cpuSecondsPerMillionRows());
            runs.add(run);
        }
        document.put("runs", runs);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            mapper.writeValue(file.toFile(), document);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The contender's rows/s over {@code limit}'s in the same workload and run; null for the limit itself or without it. */
    private Double ratio(Measurement m, String limit) {
        if (m.contender().equals(limit) || m.workload().equals("latency")) {
            return null;
        }
        return measurements.stream()
                .filter(other -> other.contender().equals(limit) && other.workload().equals(m.workload()) && other.run() == m.run())
                .findFirst()
                .map(other -> m.rowsPerSecond() / other.rowsPerSecond())
                .orElse(null);
    }

    private static Double median(List<Measurement> group, Function<Measurement, Double> metric) {
        double[] values = group.stream().map(metric).filter(Objects::nonNull).mapToDouble(Double::doubleValue).sorted().toArray();
        if (values.length == 0) {
            return null;
        }
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static String number(Object value, String format) {
        return value == null ? "" : String.format(Locale.ROOT, format, value);
    }
}
