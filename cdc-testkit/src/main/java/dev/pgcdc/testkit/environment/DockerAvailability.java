package dev.pgcdc.testkit.environment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Testcontainers can be used. Testcontainers is asked only when something suggests a Docker
 * engine (a {@code DOCKER_HOST}, a socket at a usual place, a {@code ~/.testcontainers.properties}),
 * so that a machine without Docker pays nothing and logs no Testcontainers error; whatever
 * Testcontainers throws counts as "not available". Checked once per JVM.
 */
public final class DockerAvailability {
    private static final Logger LOG = LoggerFactory.getLogger(DockerAvailability.class);
    private static Boolean available;

    private DockerAvailability() {
    }

    public static synchronized boolean isAvailable() {
        if (available == null) {
            available = EnvironmentSettings.isTestcontainersAllowed() && hasEngineHint() && askTestcontainers();
        }
        return available;
    }

    private static boolean hasEngineHint() {
        if (System.getenv("DOCKER_HOST") != null) {
            return true;
        }
        String home = System.getProperty("user.home");
        List<Path> candidates = new ArrayList<>(List.of(
                Path.of("/var/run/docker.sock"),
                Path.of(home, ".docker", "run", "docker.sock"),
                Path.of(home, ".testcontainers.properties")));
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null) {
            candidates.add(Path.of(runtime, "docker.sock"));
        }
        return candidates.stream().anyMatch(Files::exists);
    }

    private static boolean askTestcontainers() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            LOG.info("Testcontainers cannot use Docker, using local processes: {}", e.toString());
            return false;
        }
    }
}
