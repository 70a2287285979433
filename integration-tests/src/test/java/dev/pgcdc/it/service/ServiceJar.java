package dev.pgcdc.it.service;

import java.nio.file.Files;
import java.nio.file.Path;

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
}
