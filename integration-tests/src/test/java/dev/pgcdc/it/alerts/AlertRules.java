package dev.pgcdc.it.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The alerting rules of a Prometheus rules file ({@code groups[].rules[]} with {@code alert}), read with a YAML
 * parser, as Prometheus reads them. Immutable.
 *
 * @param rules every alerting rule, in file order
 */
record AlertRules(List<Rule> rules) {

    /** docs/alerts/pgcdc-rules.yml of this repository, found from the module's directory (the tests' working directory). */
    static final Path SHIPPED = Path.of("").toAbsolutePath().resolveSibling("docs").resolve("alerts").resolve("pgcdc-rules.yml");

    /**
     * One alerting rule.
     *
     * @param group its group's name
     * @param alert the alert's name
     * @param expr  its PromQL expression
     * @param forDuration its {@code for:} duration, or null when it has none
     */
    record Rule(String group, String alert, String expr, String forDuration) {
    }

    static AlertRules read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static AlertRules parse(String yaml) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException("not YAML: " + e.getMessage(), e);
        }
        if (root == null || !root.path("groups").isArray()) {
            throw new IllegalArgumentException("no groups: a Prometheus rules file is a map with a list under groups");
        }
        List<Rule> rules = new ArrayList<>();
        for (JsonNode group : root.get("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (!rule.has("alert")) {
                    continue; // a recording rule
                }
                if (!rule.path("expr").isTextual() || rule.get("expr").asText().isBlank()) {
                    throw new IllegalArgumentException("alert " + rule.get("alert").asText() + " has no expr");
                }
                rules.add(new Rule(group.path("name").asText(), rule.get("alert").asText(), rule.get("expr").asText(),
                        rule.has("for") ? rule.get("for").asText() : null));
            }
        }
        return new AlertRules(List.copyOf(rules));
    }
}
