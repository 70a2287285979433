package dev.pgcdc.it.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of the service's {@code GET /metrics} (Prometheus text format 0.0.4), parsed into
 * samples, as Prometheus would read it. Immutable.
 *
 * @param samples every sample line, in order
 */
public record MetricsScrape(List<Sample> samples) {

    private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** Scrapes {@code http://127.0.0.1:<port>/metrics}. */
    public static MetricsScrape of(int port) {
        return parse(ServiceHttp.get(port, "/metrics"));
    }

    static MetricsScrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher matcher = LINE.matcher(line);
            if (!matcher.matches()) {
                throw new AssertionError("not a Prometheus sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (matcher.group(2) != null) {
                Matcher label = LABEL.matcher(matcher.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            samples.add(new Sample(matcher.group(1), labels, Double.parseDouble(matcher.group(3))));
        }
        return new MetricsScrape(List.copyOf(samples));
    }

    /** The names of the samples that start with {@code prefix}, sorted. */
    public Set<String> names(String prefix) {
        Set<String> names = new TreeSet<>();
        samples.stream().map(Sample::name).filter(name -> name.startsWith(prefix)).forEach(names::add);
        return names;
    }

    /** The samples named {@code name}. */
    public List<Sample> all(String name) {
        return samples.stream().filter(sample -> sample.name().equals(name)).toList();
    }

    /** The value of the one sample named {@code name} whose labels include {@code labels} ({@code key, value, ...}). */
    public double value(String name, String... labels) {
        List<Sample> matching = all(name).stream().filter(sample -> sample.has(labels)).toList();
        if (matching.size() != 1) {
            throw new AssertionError("expected one sample " + name + " with labels " + List.of(labels) + ", found " + matching);
        }
        return matching.get(0).value();
    }

    /**
     * One sample line.
     *
     * @param name   the metric name, e.g. {@code pgcdc_insert_total}
     * @param labels its labels
     * @param value  its value ({@code NaN} when the meter has none)
     */
    public record Sample(String name, Map<String, String> labels, double value) {

        boolean has(String... keyValues) {
            for (int i = 0; i + 1 < keyValues.length; i += 2) {
                if (!keyValues[i + 1].equals(labels.get(keyValues[i]))) {
                    return false;
                }
            }
            return true;
        }
    }
}
