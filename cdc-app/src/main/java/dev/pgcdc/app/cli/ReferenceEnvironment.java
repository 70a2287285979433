package dev.pgcdc.app.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigResolver;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the modules' {@code reference.conf} files read from the environment ({@code host =
 * ${?PGCDC_POSTGRES_HOST}}), found in the files themselves so that {@code run --help} lists exactly
 * what the code on the class path reads, plugins included.
 */
final class ReferenceEnvironment {

    /** Stands for an environment variable during resolution; no configuration value contains it. */
    private static final String MARK = "\u0000env:";
    private static final Pattern MARKED = Pattern.compile(Pattern.quote(MARK) + "([^\u0000]+)\u0000");

    private final Map<String, String> keysByVariable;
    private ReferenceEnvironment(Map<String, String> keysByVariable) {
        this.keysByVariable = keysByVariable;
    }

    /** Reads every {@code reference.conf} that {@code classLoader} sees. */
    static ReferenceEnvironment of(ClassLoader classLoader) {
        // substitutions that name no key would go to the environment: resolve them to a mark instead
        ConfigResolver marker = new ConfigResolver() {
            @Override
            public ConfigValue lookup(String path) {
                return ConfigValueFactory.fromAnyRef(MARK + path + "\u0000");
            }

            @Override
            public ConfigResolver withFallback(ConfigResolver fallback) {
                return this;
            }
        };
        Config marked = ConfigFactory.defaultReferenceUnresolved(classLoader)
                .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false).appendResolver(marker));
        Map<String, String> keysByVariable = new TreeMap<>();
        marked.entrySet().forEach(entry -> {
            if (entry.getValue().valueType() == ConfigValueType.STRING) {
                Matcher variable = MARKED.matcher((String) entry.getValue().unwrapped());
                while (variable.find()) {
                    keysByVariable.merge(variable.group(1), entry.getKey(), (first, second) -> first + ", " + second);
                }
            }
        });
        return new ReferenceEnvironment(Map.copyOf(keysByVariable));
    }

    /** Each environment variable read, sorted, with the key (or keys) it sets. */
    Map<String, String> keysByVariable() {
        return new TreeMap<>(keysByVariable);
    }

    /** The default HTTP port, as declared. */
    int httpPort() {
        return dev.pgcdc.app.config.AppSections.HTTP_PORT.defaultValue();
    }
}
