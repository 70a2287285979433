package dev.pgcdc.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.config.Setting;
import dev.pgcdc.api.config.Values;
import dev.pgcdc.api.plugin.PluginConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The declarations are the one source of every key and default: each module's {@code reference.conf}
 * holds exactly the declared keys with the declared defaults, and the tables of
 * docs/configuration.md list exactly the declared keys with the declared defaults.
 */
class DeclaredSettingsTest {

    private static final Path CONFIGURATION_MD = Path.of("..", "docs", "configuration.md");

    /** The declared sections, the plugin sections of the built-in handler and sink included. */
    private static List<Section> sections() {
        List<Section> sections = new ArrayList<>();
        for (Section section : ServiceConfiguration.SECTIONS) {
            if (section == AppSections.HANDLER) {
                sections.add(AppSections.handler(Set.of("json")));
            } else if (section == AppSections.SINK) {
                sections.add(AppSections.sink(Set.of()));
            } else {
                sections.add(section);
            }
        }
        return sections;
    }

    @Test
    void everyReferenceConfHoldsTheDeclaredKeysWithTheDeclaredDefaults() {
        Config reference = new ConfigLoader(getClass().getClassLoader()).reference();
        List<String> mismatches = new ArrayList<>();
        for (Section section : sections()) {
            Map<String, Object> raw = reference.hasPath(section.path()) ? reference.getConfig(section.path()).root().unwrapped() : Map.of();
            Values values = section.read(new PluginConfig(section.path(), raw));
            values.problems().list().stream().filter(problem -> !problem.contains(" is required")).forEach(mismatches::add);
            for (Setting<?> setting : section.settings()) {
                if (setting.key().equals("json")) {
                    continue; // the json handler's section, checked as a section of its own
                }
                boolean given = values.isGiven(setting);
                if (setting.defaultValue() == null && given) {
                    mismatches.add(values.path(setting) + " has no declared default but reference.conf sets one");
                } else if (setting.defaultValue() != null && !given) {
                    mismatches.add(values.path(setting) + " is missing from reference.conf; declared default " + setting.renderedDefault());
                } else if (given && !setting.defaultValue().equals(values.get(setting))) {
                    mismatches.add(values.path(setting) + " = " + values.get(setting) + " in reference.conf, declared " + setting.defaultValue());
                }
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void theTablesOfTheConfigurationReferenceListTheDeclaredKeysAndDefaults() throws IOException {
        Map<String, Setting<?>> declared = new TreeMap<>();
        for (Section section : sections()) {
            for (Setting<?> setting : section.settings()) {
                if (!setting.key().equals("json")) {
                    declared.put(section.path() + "." + setting.key(), setting);
                }
            }
        }
        Map<String, String> documented = documentedDefaults(Files.readString(CONFIGURATION_MD), declared.keySet());

        assertThat(new TreeSet<>(documented.keySet())).as("keys in the tables of docs/configuration.md").isEqualTo(declared.keySet());
        List<String> mismatches = new ArrayList<>();
        declared.forEach((key, setting) -> {
            Object value = setting.defaultValue();
            boolean scalar = value instanceof String || value instanceof Number || value instanceof Boolean || value instanceof Duration
                    || value instanceof Enum<?>;
            String cell = documented.getOrDefault(key, "").replaceAll("[`\" ]", "");
            if (scalar && !cell.contains(setting.renderedDefault().replace(" ", ""))) {
                mismatches.add(key + ": documented default " + documented.get(key) + ", declared " + setting.renderedDefault());
            }
        });
        assertThat(mismatches).isEmpty();
    }

    /** The full key and default cell of every row of the "| key | default | meaning |" tables, by section heading. */
    private static Map<String, String> documentedDefaults(String text, Set<String> declared) {
        Map<String, String> documented = new LinkedHashMap<>();
        String base = null;
        boolean inTable = false;
        Pattern heading = Pattern.compile("^## `(pgcdc\\.[a-z-]+)`");
        for (String line : text.split("\n")) {
            Matcher section = heading.matcher(line);
            if (section.find()) {
                base = section.group(1);
                inTable = false;
            } else if (line.startsWith("#")) {
                base = null;
            } else if (line.startsWith("| key | default | meaning |")) {
                inTable = base != null;
            } else if (inTable && line.startsWith("| `")) {
                String[] cells = line.split("\\|");
                List<String> keys = backticked(cells[1]);
                String[] defaults = cells[2].trim().split(", ");
                for (int i = 0; i < keys.size(); i++) {
                    String key = base + "." + keys.get(i);
                    if (!declared.contains(key)) {
                        key = "pgcdc." + keys.get(i);
                    }
                    documented.put(key, defaults.length == keys.size() ? defaults[i] : cells[2].trim());
                }
            } else if (!line.startsWith("|")) {
                inTable = false;
            }
        }
        return documented;
    }

    private static List<String> backticked(String cell) {
        List<String> names = new ArrayList<>();
        Matcher name = Pattern.compile("`([^`]+)`").matcher(cell);
        while (name.find()) {
            names.add(name.group(1));
        }
        return names;
    }
}
