package dev.pgcdc.it.service;

import dev.pgcdc.it.service.PgcdcProcess.Outcome;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.kafka.TestKafka;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import dev.pgcdc.testkit.postgres.PostgresServer;
import dev.pgcdc.testkit.process.ScratchDirectories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a test of the packaged service needs, named for it alone and cleaned up after it: the test
 * kit's {@link CaptureFixture} names (a table, a publication, a slot), a topic for the table, a
 * {@link ServiceConfig} that captures the table into that topic and lets the service create the
 * publication and the slot, a directory for the configuration file and the service's output, and
 * the {@link PgcdcProcess}es the test starts. Register it as an instance field, so that every test
 * gets new names:
 *
 * <pre>{@code
 * @TestEnvironment
 * class OrdersEndToEndIT {
 *     @RegisterExtension
 *     final ServiceFixture service = ServiceFixture.named("orders");
 *
 *     @Test
 *     void streamsInserts(PostgresDatabase postgres, KafkaCluster kafka) {
 *         postgres.execute("CREATE TABLE " + service.table() + " (id integer PRIMARY KEY)");
 *         try (PgcdcProcess pgcdc = service.start("streaming")) { // streams from the slot on return
 *             postgres.execute("INSERT INTO " + service.table() + " VALUES (1)");
 *             TopicReader.of(kafka).awaitAtLeast(service.topic(), 1, Duration.ofSeconds(60));
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>By default everything is on the shared PostgreSQL and Kafka of the test kit (the instances a
 * {@code PostgresDatabase} and {@code KafkaCluster} parameter receive). A test that starts a broker
 * or a server of its own says so with {@link #on(KafkaCluster)} or {@link #on(PostgresServer, KafkaCluster)}
 * before it first uses the configuration.
 *
 * <p>After each test, whether it passed or not: every service it started is killed if it still
 * runs; then the slot (its walsender ended first), the publication and the tables are dropped, as
 * {@link CaptureFixture} drops them (on a server of the test's own nothing is dropped: closing the
 * server takes it all); the directory is deleted only when the test passed, so that a failed run
 * keeps the service's output and configuration. Topics stay on the broker under their unique
 * names. Not thread-safe: one test at a time per instance.
 */
public final class ServiceFixture implements BeforeEachCallback, AfterEachCallback {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceFixture.class);
    private static final Duration STREAMING = Duration.ofSeconds(60);
    private static final Duration RUN_TO_END = Duration.ofSeconds(90);

    private final String prefix;
    private final CaptureFixture capture;
    private final List<PgcdcProcess> started = new ArrayList<>();
    private PostgresServer ownServer;
    private KafkaCluster kafka;
    private int topicPartitions = 1;
    private Map<String, String> topicSettings = Map.of();
    private String topic;
    private ServiceConfig config;
    private Path directory;

    private ServiceFixture(String prefix) {
        this.prefix = prefix;
        this.capture = CaptureFixture.named(prefix);
    }

    /** Names of one test; the table's name and its topic's start with {@code prefix}. */
    public static ServiceFixture named(String prefix) {
        return new ServiceFixture(prefix);
    }

    /** The test's topics and service on {@code broker}, a broker of its own, instead of the shared one. */
    public ServiceFixture on(KafkaCluster broker) {
        requireNoConfig();
        this.kafka = broker;
        return this;
    }

    /**
     * The test's tables and service on {@code server}, a PostgreSQL of its own that the test closes
     * (nothing is dropped on it afterwards), and its topics on {@code broker}.
     */
    public ServiceFixture on(PostgresServer server, KafkaCluster broker) {
        on(broker);
        this.ownServer = server;
        return this;
    }

    /** Creates {@link #topic()} with {@code partitions} and the topic settings {@code settings} (such as {@code cleanup.policy}). */
    public ServiceFixture topicWith(int partitions, Map<String, String> settings) {
        requireNoConfig();
        this.topicPartitions = partitions;
        this.topicSettings = Map.copyOf(settings);
        return this;
    }

    private void requireNoConfig() {
        if (config != null) {
            throw new IllegalStateException("the fixture's configuration is built already: call on(...) and topicWith(...) before config(),"
                    + " topic(), slot() or start()");
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        capture.beforeEach(context);
        try {
            directory = Files.createTempDirectory("pgcdc-" + prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory for the service's files", e);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            started.forEach(PgcdcProcess::close);
            if (ownServer == null) {
                capture.db(); // the shared database, also when the test ended before config(): the tables it created go too
                capture.afterEach(context);
            }
        } finally {
            if (context.getExecutionException().isEmpty()) {
                ScratchDirectories.delete(directory);
            } else {
                LOG.warn("{} failed: the service's configuration and output are kept in {}", context.getDisplayName(), directory);
            }
        }
    }

    /** The database the test's tables live in: the shared one, or the server of {@link #on(PostgresServer, KafkaCluster)}. */
    public PostgresDatabase db() {
        return ownServer != null ? ownServer : capture.db();
    }

    /** The broker of the test's topics: the shared one, or the one given to {@code on(...)}. */
    public KafkaCluster kafka() {
        if (kafka == null) {
            kafka = TestKafka.shared();
        }
        return kafka;
    }

    /** The captured table's name (the test creates the table). */
    public String table() {
        return capture.table();
    }

    /** Another table name of this test, starting with {@code tablePrefix}, dropped after the test like {@link #table()}. */
    public String table(String tablePrefix) {
        return capture.table(tablePrefix);
    }

    /** {@code publication.name} of the configuration. */
    public String publication() {
        return capture.publication();
    }

    /** The topic {@link #table()} is mapped to, created on first use. */
    public String topic() {
        config();
        return topic;
    }

    /** Another topic, created now on the test's broker, its name starting with {@code topicPrefix}. */
    public String topic(String topicPrefix) {
        return kafka().createTopic(TestNames.unique(topicPrefix));
    }

    /**
     * The service's configuration, built on first use: the test's database and broker, the
     * publication and the slot (both {@code create-if-not-exists = true}), {@link #table()} captured
     * into {@link #topic()}. The test may change it; {@link #start} and {@link #runToEnd} write it as it is then.
     */
    public ServiceConfig config() {
        if (config == null) {
            topic = kafka().createTopic(TestNames.unique(prefix), topicPartitions, topicSettings);
            config = ServiceConfig.of(db(), kafka()).publication(capture.publication(), true).slot(capture.slot(), true)
                    .table(capture.table(), topic);
        }
        return config;
    }

    /** What PostgreSQL says about the configuration's slot. */
    public ReplicationSlot slot() {
        return new ReplicationSlot(db(), config().slot());
    }

    /** The directory of the configuration file and the service's output, kept when the test fails. */
    public Path directory() {
        if (directory == null) {
            throw new IllegalStateException("the directory exists only during a test: register the fixture with @RegisterExtension");
        }
        return directory;
    }

    /**
     * Writes the configuration and starts {@code pgcdc run} on it, its output in {@code <name>.out}
     * and {@code <name>.err}; returns once the service streams from the slot (at most 60 s, failing
     * with its output if it exits first). The fixture kills it after the test if it still runs.
     */
    public PgcdcProcess start(String name) {
        return streaming(PgcdcProcess.run(config().writeTo(directory()), directory, name));
    }

    /** As {@link #start}, with the launcher's JVM options ({@link PgcdcProcess#runWithLauncherDefaults}). */
    public PgcdcProcess startWithLauncherDefaults(String name) {
        return streaming(PgcdcProcess.runWithLauncherDefaults(config().writeTo(directory()), directory, name));
    }

    private PgcdcProcess streaming(PgcdcProcess service) {
        started.add(service);
        slot().awaitStreamingBy(service, STREAMING);
        return service;
    }

    /** Writes the configuration and runs {@code pgcdc run} on it to its end (killed after 90 s): a start expected to fail. */
    public Outcome runToEnd(String name) {
        Path file = config().writeTo(directory());
        return PgcdcProcess.execute(directory, name, RUN_TO_END, "run", "--config", file.toString());
    }
}
