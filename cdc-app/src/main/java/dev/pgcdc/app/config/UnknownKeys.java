package dev.pgcdc.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds keys under {@code pgcdc} that no module's {@code reference.conf} declares, so a misspelt
 * key is an error with a did-you-mean instead of a setting silently left at its default.
 *
 * <p>Not checked below them: sections the reference declares empty ({@code producer = {}}), the
 * {@link #PASS_THROUGH} sections, the {@link #ADAPTER_CHECKED} sections (whose adapter reports
 * unknown keys itself, with a did-you-mean, and may leave required keys out of its reference), and
 * the sections of plugins found on the class path ({@code pgcdc.handler.<name>}, {@code pgcdc.sink.<name>}),
 * which their plugin checks when it is made.
 */
final class UnknownKeys {

    /** Sections whose keys are not ours to know: raw client properties, logger names, table names. */
    static final Set<String> PASS_THROUGH = Set.of(
            "pgcdc.kafka.producer",
            "pgcdc.kafka.table-topic-mapping",
            "pgcdc.logging.loggers");

    /** Sections the adapter that reads them checks key by key: the source's, the Kafka sink's, the JSON handler's. */
    static final Set<String> ADAPTER_CHECKED = Set.of(
            "pgcdc.postgres",
            "pgcdc.publication",
            "pgcdc.slot",
            "pgcdc.heartbeat",
            "pgcdc.kafka",
            "pgcdc.handler.json");

    private static final String ROOT = "pgcdc";

    private final ConfigObject reference;
    private final Set<String> handlerNames;
    private final Set<String> sinkNames;

    /**
     * @param reference    the merged reference configuration
     * @param handlerNames names of the handler providers found
     * @param sinkNames    names of the sink providers found
     */
    UnknownKeys(Config reference, Set<String> handlerNames, Set<String> sinkNames) {
        this.reference = reference.hasPath(ROOT) ? reference.getObject(ROOT) : ConfigFactory.empty().root();
        this.handlerNames = handlerNames;
        this.sinkNames = sinkNames;
    }

    /** One problem per unknown key under {@code pgcdc} of {@code merged}, and per top-level key of {@code user} that belongs under it. */
    List<String> find(Config user, Config merged) {
        List<String> problems = new ArrayList<>();
        for (String key : new TreeSet<>(user.root().keySet())) {
            if (!key.equals(ROOT) && reference.containsKey(key)) {
                problems.add(key + " (" + origin(user.root().get(key)) + ") is outside the pgcdc root; write it as pgcdc." + key
                        + " or inside pgcdc { ... }");
            }
        }
        if (merged.hasPath(ROOT) && merged.getValue(ROOT).valueType() == ConfigValueType.OBJECT) {
            walk(merged.getObject(ROOT), reference, List.of(ROOT), problems);
        }
        return problems;
    }

    private void walk(ConfigObject actual, ConfigObject known, List<String> path, List<String> problems) {
        for (String key : new TreeSet<>(actual.keySet())) {
            ConfigValue value = actual.get(key);
            List<String> keyPath = append(path, key);
            String fullKey = ConfigUtil.joinPath(keyPath);
            ConfigValue knownValue = known.get(key);
            if (knownValue == null) {
                if (!isPluginSection(keyPath) && !ADAPTER_CHECKED.contains(fullKey)) {
                    problems.add(unknown(fullKey, key, value, known, keyPath));
                }
            } else if (value instanceof ConfigObject object && knownValue instanceof ConfigObject knownObject
                    && !knownObject.isEmpty() && !PASS_THROUGH.contains(fullKey) && !ADAPTER_CHECKED.contains(fullKey)) {
                walk(object, knownObject, keyPath, problems);
            }
        }
    }

    private boolean isPluginSection(List<String> keyPath) {
        if (keyPath.size() < 3) {
            return false;
        }
        String section = keyPath.get(1);
        String name = keyPath.get(2);
        return section.equals("handler") && handlerNames.contains(name) || section.equals("sink") && sinkNames.contains(name);
    }

    private String unknown(String fullKey, String key, ConfigValue value, ConfigObject siblings, List<String> keyPath) {
        StringBuilder problem = new StringBuilder(fullKey);
        problem.append(" = ").append(render(fullKey, value));
        problem.append(" (").append(origin(value)).append(") is not a known key");
        Set<String> candidates = new TreeSet<>(siblings.keySet());
        if (keyPath.size() == 3 && keyPath.get(1).equals("handler")) {
            candidates.addAll(handlerNames);
        } else if (keyPath.size() == 3 && keyPath.get(1).equals("sink")) {
            candidates.addAll(sinkNames);
        }
        Optional<String> suggestion = Suggestions.closest(key, candidates);
        if (suggestion.isPresent()) {
            problem.append("; did you mean ").append(ConfigUtil.joinPath(append(keyPath.subList(0, keyPath.size() - 1), suggestion.get())))
                    .append('?');
        } else {
            Optional<String> elsewhere = elsewhere(key);
            if (elsewhere.isPresent()) {
                problem.append("; did you mean ").append(elsewhere.get()).append('?');
            } else {
                problem.append("; known keys here: ").append(String.join(", ", candidates));
            }
        }
        return problem.toString();
    }

    /** A known key of the same name somewhere else in the tree (a key put in the wrong section). */
    private Optional<String> elsewhere(String key) {
        List<String> found = new ArrayList<>();
        collect(reference, List.of(ROOT), key, found);
        return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
    }

    private static void collect(ConfigObject object, List<String> path, String key, List<String> found) {
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            List<String> keyPath = append(path, entry.getKey());
            if (entry.getKey().equals(key)) {
                found.add(ConfigUtil.joinPath(keyPath));
            }
            if (entry.getValue() instanceof ConfigObject nested) {
                collect(nested, keyPath, key, found);
            }
        }
    }

    /** The value on one line, secrets masked before it is shortened (a cut must not end inside a mask and show the rest). */
    private static String render(String path, ConfigValue value) {
        String text = Secrets.render(path, value);
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    static String origin(ConfigValue value) {
        String description = value.origin().description();
        return description == null ? "unknown origin" : description;
    }

    private static List<String> append(List<String> path, String key) {
        List<String> keyPath = new ArrayList<>(path.size() + 1);
        keyPath.addAll(path);
        keyPath.add(key);
        return keyPath;
    }
}
