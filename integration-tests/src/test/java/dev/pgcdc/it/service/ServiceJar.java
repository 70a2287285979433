package dev.pgcdc.it.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the packaged service is: {@code cdc-app/target/pgcdc.jar}, as the README builds it. */
public final class ServiceJar {

    /** Set by this module's pom to {@code ${project.basedir}/../cdc-app/target/pgcdc.jar}. */
    static final String PROPERTY = "pgcdc.it.service-jar";

    private ServiceJar() {
    }

    /** The jar; fails with what to do when it is missing. */
    public static Path path() {
        String configured = System.getProperty(PROPERTY);
        Path jar = configured != null && !configured.isBlank()
                ? Path.of(configured).toAbsolutePath().normalize()
                : Path.of("..", "cdc-app", "target", "pgcdc.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the service jar " + jar + " does not exist; build it first with"
                    + " `./mvnw -q install -DskipTests` (or `./mvnw -pl cdc-app -am install -DskipTests`)"
                    + (configured == null ? ", or set -D" + PROPERTY + " to its path" : ""));
        }
        return jar;
    }

    /**
     * The JVM options the distribution's launcher starts the service with: the {@code default_opts} of
     * {@code cdc-app/src/dist/bin/pgcdc}, next to the jar's {@code target} directory.
     */
    public static List<String> launcherDefaults() {
        return launcherDefaults(path().getParent().getParent().resolve(Path.of("src", "dist", "bin", "pgcdc")));
    }

    /** The {@code default_opts} of the launcher {@code script} (a source tree's or an extracted distribution's). */
    public static List<String> launcherDefaults(Path script) {
        return List.of(launcherLine(script, "default_opts=\"", "\"").split(" +"));
    }

    /**
     * What the launcher {@code script}'s line starting with {@code prefix} and ending with {@code suffix} holds
     * between the two, such as {@code 2} of {@code MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}}.
     */
    public static String launcherLine(Path script, String prefix, String suffix) {
        try {
            for (String line : Files.readAllLines(script)) {
                if (line.startsWith(prefix) && line.endsWith(suffix) && line.length() >= prefix.length() + suffix.length()) {
                    return line.substring(prefix.length(), line.length() - suffix.length());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the launcher " + script, e);
        }
        throw new IllegalStateException("the launcher " + script + " has no line " + prefix + "..." + suffix);
    }
}
