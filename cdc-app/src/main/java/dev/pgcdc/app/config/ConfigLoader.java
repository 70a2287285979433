package dev.pgcdc.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import dev.pgcdc.api.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads the user's HOCON file and merges it over every module's {@code reference.conf}, with JVM
 * system properties ({@code -Dpgcdc.http.port=9090}) on top. Substitutions resolve against the
 * merged tree and then the environment, so {@code password = ${?PGCDC_PASSWORD}} works.
 */
public final class ConfigLoader {

    private final ClassLoader classLoader;

    public ConfigLoader(ClassLoader classLoader) {
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
    }

    /**
     * The user's file, parsed but neither merged nor resolved.
     *
     * @throws ConfigurationException when the file is missing, unreadable or not HOCON
     */
    public Config parse(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigurationException("configuration file " + file + " does not exist or is not a file");
        }
        try {
            return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)
                    .setClassLoader(classLoader));
        } catch (ConfigException e) {
            throw new ConfigurationException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The merged reference configuration of every module on the class path, resolved. */
    public Config reference() {
        return ConfigFactory.defaultReference(classLoader);
    }

    /**
     * {@code user} over the reference, resolved.
     *
     * @throws ConfigurationException when a substitution cannot be resolved
     */
    public Config merge(Config user) {
        try {
            return ConfigFactory.defaultOverrides(classLoader)
                    .withFallback(user)
                    .withFallback(ConfigFactory.defaultReferenceUnresolved(classLoader))
                    .resolve(ConfigResolveOptions.defaults());
        } catch (ConfigException.UnresolvedSubstitution e) {
            throw new ConfigurationException(e.getMessage()
                    + " (set that environment variable, or write ${?NAME} to leave the key at its default when it is unset)");
        } catch (ConfigException e) {
            throw new ConfigurationException(e.getMessage());
        }
    }
}
