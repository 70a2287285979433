package dev.pgcdc.it.bench;

import dev.pgcdc.it.service.ServiceJar;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import dev.pgcdc.testkit.process.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The distribution as users get it ({@code pgcdc-<version>.tar.gz}), extracted into a scratch
 * directory, and pgcdc started from it exactly as users start it: {@code bin/pgcdc run --config
 * <file>}, with the launcher's own JVM flags (unless {@code javaOpts} replaces them, as
 * {@code JAVA_OPTS} does for users) and a configuration of the required keys only.
 */
final class Distribution {

    private static final Path TIME = Path.of("/usr/bin/time");
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    private final Path home;

    private Distribution(Path home) {
        this.home = home;
    }

    /** Extracts {@code tarball} into {@code scratch} with {@code tar}; fails with what to build when it is missing. */
    static Distribution extract(Path tarball, Path scratch) {
        if (!Files.isRegularFile(tarball)) {
            throw new IllegalStateException("the distribution " + tarball.toAbsolutePath() + " does not exist: build it with"
                    + " `./mvnw -pl cdc-app -am package -DskipTests` (integration-tests/bench.sh does), or set -Dbench.distribution");
        }
        try {
            Files.createDirectories(scratch);
            ChildProcess.run(List.of(), List.of("tar", "-xzf", tarball.toAbsolutePath().toString(), "-C", scratch.toString()),
                    scratch, Duration.ofMinutes(2));
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(scratch, "pgcdc-*")) {
                for (Path entry : entries) {
                    if (Files.isExecutable(entry.resolve("bin/pgcdc"))) {
                        return new Distribution(entry);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + tarball, e);
        }
        throw new IllegalStateException(tarball + " holds no pgcdc-<version>/bin/pgcdc");
    }

    /** {@code pgcdc-<version>}, the extracted directory's name. */
    String name() {
        return home.getFileName().toString();
    }

    /**
     * Writes {@code <directory>/<slot>.conf}: the connection, the publication and its table, the
     * slot, the broker and the topic. Everything else is pgcdc's default, but for the HTTP port: 0
     * (a free one) instead of 8080, which another process may hold on a shared machine; the HTTP
     * server runs either way. The bench creates the publication and the slot itself, before the
     * rows are written, so pgcdc finds them.
     *
     * @param replicaIdentity {@code FULL}, {@code DEFAULT}...: given because pgcdc applies a table's
     *                        configured identity at start, and the workload defines it
     */
    static Path writeConfig(Path directory, PostgresDatabase postgres, KafkaCluster kafka, String publication, String table,
                            String replicaIdentity, String slot, String topic) {
        return writeConfig(directory, postgres, kafka, publication, table, replicaIdentity, slot, topic, "");
    }

    /**
     * As {@link #writeConfig(Path, PostgresDatabase, KafkaCluster, String, String, String, String, String)},
     * with {@code sections} (HOCON inside {@code pgcdc { }}, such as a {@code snapshot { ... }} line) added.
     */
    static Path writeConfig(Path directory, PostgresDatabase postgres, KafkaCluster kafka, String publication, String table,
                            String replicaIdentity, String slot, String topic, String sections) {
        String text = "pgcdc {\n"
                + "  postgres { host = " + quote(postgres.host()) + ", port = " + postgres.port()
                + ", database = " + quote(postgres.database()) + ", user = " + quote(postgres.user())
                + ", password = " + quote(postgres.password()) + " }\n"
                + "  publication { name = " + quote(publication) + ", tables = [ { schema = public, name = " + quote(table)
                + ", replica-identity = " + replicaIdentity + " } ] }\n"
                + "  slot { name = " + quote(slot) + " }\n"
                + "  kafka { bootstrap-servers = " + quote(kafka.bootstrapServers())
                + ", table-topic-mapping { " + quote("public." + table) + " = " + quote(topic) + " } }\n"
                + "  http { port = 0 }\n"
                + sections
                + "}\n";
        Path file = directory.resolve(slot + ".conf");
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * Starts {@code bin/pgcdc run --config <config>}, output in {@code <directory>/<name>.log}. The
     * launcher {@code exec}s java, so the PID is the service's JVM. Its environment is the bench's
     * without {@code JAVA_OPTS} (unless {@code javaOpts} is given) and without {@code PGCDC_*}, so the
     * file alone configures it; {@code JAVA_HOME} is the bench's Java.
     */
    ChildProcess start(Path config, Path directory, String name, String javaOpts) {
        return ChildProcess.start(name, List.of(), command(config, javaOpts), "KILL", directory, directory.resolve(name + ".log"));
    }

    /**
     * As {@link #start(Path, Path, String, String)}, under {@code /usr/bin/time -o <times> -f "%U %S %M"}
     * (user and system CPU seconds, peak RSS in KiB of the JVM, written when it exits); the returned
     * process is {@code time}'s. The JVM is killed when {@code time} dies ({@code setpriv --pdeathsig}, where
     * it exists), so stopping or killing the returned process ends pgcdc too.
     */
    ChildProcess startTimed(Path config, Path directory, String name, String javaOpts, Path times) {
        return ChildProcess.start(name, List.of(), timed(command(config, javaOpts), times), "KILL", directory,
                directory.resolve(name + ".log"));
    }

    /**
     * Starts {@code mainClass} in a JVM as the launcher starts pgcdc's: the bench's Java, the launcher's
     * {@code default_opts} (or {@code javaOpts}, split at spaces as the launcher's shell splits {@code JAVA_OPTS}), its
     * {@code MALLOC_ARENA_MAX}, and the class path {@code lib/*} (kafka-clients and the logging pgcdc ships) plus
     * {@code classes}. Output in {@code <directory>/<name>.log}; under {@code /usr/bin/time} as {@link #startTimed} when
     * {@code times} is given.
     */
    ChildProcess startJava(String mainClass, Path classes, List<String> arguments, Path directory, String name, String javaOpts,
                           Path times) {
        List<String> command = new ArrayList<>(List.of("env", "MALLOC_ARENA_MAX=" + mallocArenaMax(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(javaOpts == null ? ServiceJar.launcherDefaults(launcher()) : List.of(javaOpts.trim().split("\\s+")));
        command.addAll(List.of("-cp", home.resolve("lib") + "/*:" + classes, mainClass));
        command.addAll(arguments);
        return ChildProcess.start(name, List.of(), times == null ? command : timed(command, times), "KILL", directory,
                directory.resolve(name + ".log"));
    }

    /** {@code command} under {@code /usr/bin/time -o <times> -f "%U %S %M"}, killed when {@code time} dies. */
    private static List<String> timed(List<String> command, Path times) {
        List<String> timed = new ArrayList<>(List.of(TIME.toString(), "-o", times.toString(), "-f", "%U %S %M"));
        if (Files.isExecutable(SETPRIV)) {
            timed.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
        }
        timed.addAll(command);
        return timed;
    }

    /** The bench's {@code MALLOC_ARENA_MAX} if set, else the launcher's default ({@code MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}}). */
    private String mallocArenaMax() {
        String configured = System.getenv("MALLOC_ARENA_MAX");
        return configured != null && !configured.isEmpty() ? configured
                : ServiceJar.launcherLine(launcher(), "MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-", "}");
    }

    private Path launcher() {
        return home.resolve("bin/pgcdc");
    }

    /** Whether {@link #startTimed} can run here. */
    static boolean canTime() {
        return Files.isExecutable(TIME);
    }

    private List<String> command(Path config, String javaOpts) {
        List<String> command = new ArrayList<>(List.of("env", "-u", "JAVA_OPTS", "-u", "JAVA"));
        System.getenv().keySet().stream().filter(key -> key.startsWith("PGCDC_")).sorted().forEach(key -> command.addAll(List.of("-u", key)));
        command.add("JAVA_HOME=" + System.getProperty("java.home"));
        if (javaOpts != null) {
            command.add("JAVA_OPTS=" + javaOpts);
        }
        command.addAll(List.of(launcher().toString(), "run", "--config", config.toString()));
        return command;
    }

    private static String quote(String value) {
        return value == null ? "\"\"" : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
