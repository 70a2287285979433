package dev.pgcdc.it.debezium;

import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.process.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Kafka Connect in standalone mode in a child JVM, with one of Debezium's connectors ({@link Plugin})
 * on its class path, the key and value converters Kafka Connect's JsonConverter with
 * {@code schemas.enable=true}, offsets in a file. The jars of a plugin are
 * resolved once by the project's Maven wrapper from {@code <plugin>.pom.xml} (a resource beside this
 * class) into {@code target/<plugin>}. Output goes to {@code <directory>/connect.log}.
 * {@link #stop(Duration)} stops the worker as an operator does (SIGTERM: its connectors stop and commit
 * their offsets); {@link #close()} kills the JVM and waits for it. Not thread-safe.
 */
final class KafkaConnectStandalone implements AutoCloseable {

    private static final Path MODULE = Path.of("").toAbsolutePath(); // failsafe runs in the module's directory

    /** A connector and the resource pom that resolves it together with Kafka Connect's runtime. */
    /** Debezium's version (the root pom.xml's {@code debezium.version}, given by failsafe): its connectors', and Debezium's records' {@code source.version}. */
    static final String DEBEZIUM_VERSION = required("pgcdc.it.debezium.version");
    /** Debezium's JDBC sink's version: the root pom.xml's {@code debezium.jdbc-sink.version} (why it differs is said there). */
    static final String JDBC_SINK_VERSION = required("pgcdc.it.debezium.jdbc-sink.version");
    /** Kafka Connect's version: the root pom.xml's {@code kafka.version}, the test kit's broker's too. */
    static final String KAFKA_VERSION = required("pgcdc.it.kafka.version");

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run the test through Maven (integration-tests/pom.xml sets it)");
        }
        return value;
    }

    enum Plugin {
        /** Debezium's JDBC sink connector, {@code io.debezium.connector.jdbc.JdbcSinkConnector}. */
        JDBC_SINK("kafka-connect-jdbc-sink", JDBC_SINK_VERSION),
        /** Debezium's PostgreSQL source connector, {@code io.debezium.connector.postgresql.PostgresConnector}. */
        POSTGRES_SOURCE("kafka-connect-postgres-source", DEBEZIUM_VERSION);

        private final String artifact; // the resource pom's name and its artifactId
        private final String version;

        Plugin(String artifact, String version) {
            this.artifact = artifact;
            this.version = version;
        }

        private Path jars() {
            return MODULE.resolve("target").resolve(artifact + "-" + version);
        }
    }

    private final ChildJvm process;
    private final Path log;

    private KafkaConnectStandalone(ChildJvm process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts a worker with Debezium's JDBC sink against {@code kafka}, running one connector of {@code connector} properties. */
    static KafkaConnectStandalone start(KafkaCluster kafka, Map<String, String> connector, Path directory) throws IOException {
        return start(Plugin.JDBC_SINK, kafka, connector, Duration.ofSeconds(1), directory);
    }

    /**
     * Starts a worker with {@code plugin} against {@code kafka}, running one connector of {@code connector}
     * properties, committing its offsets every {@code offsetFlushInterval} ({@code offset.flush.interval.ms})
     * and when it stops.
     */
    static KafkaConnectStandalone start(Plugin plugin, KafkaCluster kafka, Map<String, String> connector, Duration offsetFlushInterval,
            Path directory) throws IOException {
        Properties worker = new Properties();
        for (Map.Entry<String, Object> property : kafka.clientProperties().entrySet()) {
            worker.setProperty(property.getKey(), String.valueOf(property.getValue()));
            worker.setProperty("consumer." + property.getKey(), String.valueOf(property.getValue()));
            worker.setProperty("producer." + property.getKey(), String.valueOf(property.getValue()));
        }
        worker.setProperty("bootstrap.servers", kafka.bootstrapServers());
        worker.setProperty("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.setProperty("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.setProperty("key.converter.schemas.enable", "true");
        worker.setProperty("value.converter.schemas.enable", "true");
        worker.setProperty("offset.storage.file.filename", directory.resolve("connect.offsets").toString());
        worker.setProperty("offset.flush.interval.ms", Long.toString(offsetFlushInterval.toMillis()));
        worker.setProperty("listeners", "http://127.0.0.1:" + freePort());
        worker.setProperty("plugin.discovery", "only_scan");
        Path workerFile = write(worker, directory.resolve("worker.properties"));
        Properties sink = new Properties();
        sink.putAll(connector);
        Path connectorFile = write(sink, directory.resolve("connector.properties"));
        Path log = directory.resolve("connect.log");
        ChildJvm process = ChildJvm.of("Kafka Connect", "org.apache.kafka.connect.cli.ConnectStandalone").classPath(jars(plugin))
                .jvmOptions("-Xmx384m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info").args(workerFile.toString(), connectorFile.toString())
                .output(log).start();
        return new KafkaConnectStandalone(process, log);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines of the worker's output, for failure messages. */
    String tail() {
        return process.tail();
    }

    /** Whether the connector's task stopped on an error (the worker itself goes on running then). */
    boolean hasFailedTask() {
        return errors().stream().anyMatch(line -> line.contains("unrecoverable exception"));
    }

    /** Lines of the worker's output that report an error. */
    List<String> errors() {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(line -> line.contains("ERROR") || line.contains("Exception")).limit(40).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops the worker as an operator does, with SIGTERM: Kafka Connect's shutdown hook stops the
     * connector, whose task commits its offsets a last time. Fails with the output's tail unless the
     * JVM ends within {@code timeout} having logged that Kafka Connect stopped.
     */
    void stop(Duration timeout) {
        process.sigterm();
        int exitCode = process.awaitExit(timeout);
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            if (lines.noneMatch(line -> line.contains("Kafka Connect stopped"))) {
                throw new AssertionError("Kafka Connect exited with " + exitCode + " without a clean stop\n" + tail());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.close();
    }

    /** The worker's jars with {@code plugin}, resolved by Maven on the first call of a build (a later run reuses them). */
    private static synchronized List<Path> jars(Plugin plugin) throws IOException {
        Path jars = plugin.jars();
        Path done = jars.resolve(".resolved");
        if (!Files.exists(done)) {
            Files.createDirectories(jars);
            Path pom = jars.resolve("pom.xml");
            try (InputStream in = KafkaConnectStandalone.class.getResourceAsStream(plugin.artifact + ".pom.xml")) {
                Files.copy(in, pom, StandardCopyOption.REPLACE_EXISTING);
            }
            Path wrapper = MODULE.getParent().resolve("mvnw");
            List<String> command = new ArrayList<>(List.of(wrapper.toString(), "-B", "-q", "-f", pom.toString(),
                    "dependency:copy-dependencies", "-DoutputDirectory=" + jars.resolve("lib"), "-Dkafka.version=" + KAFKA_VERSION,
                    "-Ddebezium.version=" + DEBEZIUM_VERSION, "-Ddebezium.jdbc-sink.version=" + JDBC_SINK_VERSION));
            Path output = jars.resolve("maven.log");
            Process maven = new ProcessBuilder(command).directory(MODULE.getParent().toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            try {
                if (!maven.waitFor(10, TimeUnit.MINUTES) || maven.exitValue() != 0) {
                    maven.destroyForcibly();
                    throw new IllegalStateException("cannot resolve Kafka Connect and " + plugin.artifact + " with " + command + ":\n"
                            + Files.readString(output));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while resolving Kafka Connect's jars", e);
            }
            Files.writeString(done, "");
        }
        try (Stream<Path> files = Files.list(jars.resolve("lib"))) {
            return files.filter(file -> file.toString().endsWith(".jar")).sorted().toList();
        }
    }

    private static Path write(Properties properties, Path file) throws IOException {
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, null);
        }
        return file;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
