package dev.pgcdc.testkit.kafka;

import dev.pgcdc.testkit.environment.PinnedVersions;
import dev.pgcdc.testkit.environment.Provisioning;
import dev.pgcdc.testkit.environment.TestEnvironmentException;
import dev.pgcdc.testkit.process.ChildJvm;
import dev.pgcdc.testkit.process.ChildProcess;
import dev.pgcdc.testkit.process.ExitCleanup;
import dev.pgcdc.testkit.process.FreePorts;
import dev.pgcdc.testkit.process.LogTail;
import dev.pgcdc.testkit.process.ScratchDirectories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka broker run by this test JVM in a child JVM built from the Apache Kafka
 * jars, on free loopback ports, with its log directory in a temporary directory. For tests that
 * kill, restart or freeze the broker, or need SASL (SCRAM, PLAIN) or TLS; other tests share
 * {@link TestKafka#shared()}.
 *
 * <p>A plain broker has one PLAINTEXT listener. {@link Builder#withScram}, {@link Builder#withPlain}
 * and {@link Builder#withTls} add a client listener with {@code SASL_PLAINTEXT}, {@code SSL} or
 * {@code SASL_SSL}, which {@link #bootstrapServers()} and {@link #clientProperties()} then point at;
 * the PLAINTEXT listener stays for the broker itself ({@link #plaintextBootstrapServers()}).
 *
 * <p>Lifecycle: {@link Builder#start()} returns a broker that answers metadata requests;
 * {@link #kill()} ({@code kill -9}) and {@link #stop()} (SIGTERM) keep the log directory;
 * {@link #freeze()} (SIGSTOP) keeps its connections open, but it answers nothing until
 * {@link #thaw()}; {@link #restart()} starts it again with the same directory and ports (about
 * 6-8 s after a kill, while the old session expires); {@link #close()} stops it and deletes
 * everything. The broker also ends when the test JVM does (shutdown hook, and the broker watches
 * its parent). Thread-safe.
 */
public final class KafkaBroker implements KafkaCluster, AutoCloseable {
    private static final String DEFAULT_SCRAM_MECHANISM = "SCRAM-SHA-512";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Djava.awt.headless=true");
    private static final Pattern VERSION_LINE = Pattern.compile("Kafka version: (\\S+)");

    private final Path directory;
    private final int internalPort;
    private final int controllerPort;
    private final int clientPort;
    private final String clientProtocol;
    private final List<SaslUser> saslUsers;
    private final BrokerCertificates certificates;
    private ChildProcess process; // guarded by this
    private boolean frozen; // guarded by this
    private String version = PinnedVersions.kafkaBroker(); // guarded by this

    private KafkaBroker(Builder builder, Path directory, BrokerCertificates certificates) {
        this.directory = directory;
        this.internalPort = FreePorts.next();
        this.controllerPort = FreePorts.next();
        this.clientProtocol = builder.clientProtocol();
        this.clientPort = clientProtocol.equals("PLAINTEXT") ? internalPort : FreePorts.next();
        this.saslUsers = List.copyOf(builder.saslUsers);
        this.certificates = certificates;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The client listener: PLAINTEXT for a plain broker, else the secured one. */
    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + clientPort;
    }

    /** The PLAINTEXT listener, which needs no credentials even on a secured broker. */
    public String plaintextBootstrapServers() {
        return "127.0.0.1:" + internalPort;
    }

    /** {@code PLAINTEXT}, {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL}: the client listener's. */
    public String securityProtocol() {
        return clientProtocol;
    }

    /** Client settings for the client listener, as the first SASL user (with its mechanism) when SASL is on. */
    @Override
    public Map<String, Object> clientProperties() {
        SaslUser first = saslUsers.isEmpty() ? null : saslUsers.get(0);
        return first == null ? clientProperties(null, null, null) : clientProperties(first.mechanism(), first.name(), first.password());
    }

    /**
     * Client settings for the client listener with these credentials (which may be wrong, to test a
     * refusal), by the mechanism {@code user} was added with; for an unknown user, the first user's.
     */
    public Map<String, Object> clientProperties(String user, String password) {
        String mechanism = saslUsers.stream().filter(known -> known.name().equals(user)).findFirst()
                .or(() -> saslUsers.stream().findFirst()).map(SaslUser::mechanism).orElse(null);
        return clientProperties(mechanism, user, password);
    }

    /**
     * Client settings for the client listener with this SASL mechanism ({@code SCRAM-SHA-256},
     * {@code SCRAM-SHA-512} or {@code PLAIN}) and credentials, right or wrong; the mechanism is
     * ignored when the listener has no SASL.
     */
    public Map<String, Object> clientProperties(String mechanism, String user, String password) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, clientProtocol);
        if (clientProtocol.startsWith("SASL")) {
            properties.put(SaslConfigs.SASL_MECHANISM, mechanism);
            properties.put(SaslConfigs.SASL_JAAS_CONFIG, SaslUser.clientJaasConfig(mechanism, user, password));
        }
        if (clientProtocol.endsWith("SSL")) {
            properties.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            properties.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, certificates.caCertificatePem().toString());
        }
        return properties;
    }

    /** The PEM file of the CA that signed the broker's certificate; only with {@link Builder#withTls()}. */
    public Path caCertificatePem() {
        if (certificates == null) {
            throw new IllegalStateException("this broker has no TLS listener; build it withTls()");
        }
        return certificates.caCertificatePem();
    }

    /** The Kafka version the broker reported in its log, such as {@code 4.1.2}. */
    public synchronized String version() {
        return version;
    }

    /** The broker JVM's PID, or -1 when it is not running. */
    public synchronized long pid() {
        return isRunning() ? process.pid() : -1;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The broker's log (log4j, INFO and above). */
    public Path logFile() {
        return directory.resolve("server.log");
    }

    /** The broker's {@code log.dirs}: its topic data and metadata. */
    public Path dataDirectory() {
        return directory.resolve("data");
    }

    @Override
    public synchronized String description() {
        return "Kafka " + version + " on " + bootstrapServers() + " (" + Provisioning.LOCAL_PROCESS.label()
                + (clientProtocol.equals("PLAINTEXT") ? "" : ", " + clientProtocol) + ")";
    }

    /** {@code kill -9} of the broker JVM; returns once it is gone. The log directory stays. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
        }
        frozen = false;
    }

    /**
     * Freezes the broker JVM ({@code SIGSTOP}): its ports and connections stay open, so clients
     * send requests as usual, but nothing is answered until {@link #thaw()}, as with a broker in a
     * long pause or behind a network partition. Meant for request timeouts.
     */
    public synchronized void freeze() {
        if (isRunning()) {
            process.signal("STOP");
            frozen = true;
        }
    }

    /** Lets a {@link #freeze() frozen} broker run on ({@code SIGCONT}); does nothing otherwise. */
    public synchronized void thaw() {
        if (frozen && isRunning()) {
            process.signal("CONT");
        }
        frozen = false;
    }

    /** Controlled shutdown (SIGTERM; thawed first if frozen), killed if it takes more than 30 s. The log directory stays. */
    public synchronized void stop() {
        thaw();
        if (process != null && !process.stop("TERM", STOP_GRACE)) {
            LOG.warn("Kafka broker {} did not stop within {}; killed it", bootstrapServers(), STOP_GRACE);
        }
    }

    /** Stops the broker if it runs, then starts it again on the same log directory and ports and waits until it is ready. */
    public synchronized void restart() {
        stop();
        long started = System.nanoTime();
        launch(false);
        LOG.info("restarted {} in {} ms", description(), Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    /** Stops the broker and deletes its directory. Idempotent. */
    @Override
    public synchronized void close() {
        ExitCleanup.unregister(this);
        stop();
        ScratchDirectories.delete(directory);
    }

    private void configure(Map<String, String> overrides) {
        Map<String, String> properties = BrokerConfiguration.serverProperties(dataDirectory(), internalPort, controllerPort,
                clientProtocol, clientPort, certificates, saslUsers, overrides);
        BrokerConfiguration.write(properties, directory.resolve("server.properties"));
        BrokerConfiguration.writeLogConfiguration(directory.resolve("log4j2.properties"), logFile());
    }

    private void launch(boolean format) {
        List<String> args = new ArrayList<>();
        if (format) {
            args.addAll(List.of("--format", Uuid.randomUuid().toString()));
            saslUsers.stream().filter(SaslUser::isScram)
                    .forEach(user -> args.addAll(List.of("--add-scram", user.scramSpecification())));
        }
        args.add(directory.resolve("server.properties").toString());
        process = ChildJvm.of("kafka", KafkaBrokerLauncher.class.getName()).classPath(List.of(BrokerClasspath.value()))
                .jvmOptions(JVM_OPTIONS)
                .jvmOptions("-Dlog4j2.configurationFile=" + directory.resolve("log4j2.properties"), "-Dkafka.logs.dir=" + directory,
                        "-D" + KafkaBrokerLauncher.PARENT_PID_PROPERTY + "=" + ProcessHandle.current().pid())
                .args(args).workDirectory(directory).output(directory.resolve("stdout.log")).start().process();
        ScratchDirectories.recordChild(directory, process);
        awaitReady();
        readVersion().ifPresent(reported -> version = reported);
    }

    /** Waits until the PLAINTEXT port is open and the broker lists itself as an unfenced node. */
    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!FreePorts.isListening(internalPort)) {
            failIfGone(deadline);
            sleep(50);
        }
        Map<String, Object> properties = new HashMap<>();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plaintextBootstrapServers());
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        properties.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        try (Admin admin = Admin.create(properties)) {
            while (true) {
                failIfGone(deadline);
                try {
                    List<Node> nodes = List.copyOf(admin.describeCluster().nodes().get(3, TimeUnit.SECONDS));
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TestEnvironmentException("interrupted while starting the Kafka broker", e);
                } catch (Exception e) {
                    LOG.debug("broker {} not ready yet: {}", plaintextBootstrapServers(), e.toString());
                }
                sleep(100);
            }
        }
    }

    private void failIfGone(long deadline) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
            String what = process.isAlive() ? "was not ready within " + READY_TIMEOUT : "exited with code " + process.exitCode();
            process.kill();
            throw new TestEnvironmentException("the Kafka broker on " + plaintextBootstrapServers() + " " + what + "\n"
                    + process.logTail(20) + "\n" + LogTail.of(logFile(), 40));
        }
    }

    private Optional<String> readVersion() {
        try (Stream<String> lines = Files.lines(logFile(), StandardCharsets.UTF_8)) {
            return lines.map(VERSION_LINE::matcher).filter(Matcher::find).map(matcher -> matcher.group(1))
                    .reduce((first, second) -> second);
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestEnvironmentException("interrupted while starting the Kafka broker", e);
        }
    }

    /** Chooses the listeners and settings of a {@link KafkaBroker}. Not thread-safe. */
    public static final class Builder {
        private final List<SaslUser> saslUsers = new ArrayList<>();
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private boolean tls;

        private Builder() {
        }

        /**
         * Adds a SCRAM-SHA-512 user (created when the log directory is formatted) and turns on SASL
         * on the client listener. Names are letters, digits and {@code . _ - @}; passwords must not
         * contain {@code ,} {@code ]} {@code "} or {@code \}.
         */
        public Builder withScram(String user, String password) {
            return withScram(DEFAULT_SCRAM_MECHANISM, user, password);
        }

        /**
         * Adds a user of {@code mechanism}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}, like
         * {@link #withScram(String, String)}. The listener enables every mechanism some user has.
         */
        public Builder withScram(String mechanism, String user, String password) {
            if (!SaslUser.SCRAM.contains(mechanism)) {
                throw new IllegalArgumentException("withScram takes SCRAM-SHA-256 or SCRAM-SHA-512, not " + mechanism);
            }
            saslUsers.add(new SaslUser(mechanism, user, password));
            return this;
        }

        /**
         * Adds a SASL/PLAIN user (in the listener's JAAS configuration) and turns on SASL on the
         * client listener, next to any SCRAM users. Same rules for names and passwords as SCRAM.
         */
        public Builder withPlain(String user, String password) {
            saslUsers.add(new SaslUser(SaslUser.PLAIN, user, password));
            return this;
        }

        /** Turns on TLS on the client listener, with a certificate for {@code localhost} and {@code 127.0.0.1} signed by a test CA. */
        public Builder withTls() {
            tls = true;
            return this;
        }

        /** A broker setting written to {@code server.properties}, overriding the test kit's default if any. */
        public Builder withBrokerProperty(String key, String value) {
            brokerProperties.put(key, value);
            return this;
        }

        /** Formats a log directory, starts the broker and waits until it is ready. */
        public KafkaBroker start() {
            long started = System.nanoTime();
            BrokerCertificates certificates = tls ? BrokerCertificates.shared() : null;
            KafkaBroker broker = new KafkaBroker(this, ScratchDirectories.create("kafka"), certificates);
            ExitCleanup.register(broker, broker::close);
            try {
                synchronized (broker) {
                    broker.configure(brokerProperties);
                    broker.launch(true);
                }
            } catch (RuntimeException e) {
                broker.close();
                throw e instanceof TestEnvironmentException ? e
                        : new TestEnvironmentException("cannot start a Kafka broker: " + e.getMessage(), e);
            }
            LOG.info("started {} in {} ms, logs in {}", broker.description(),
                    Duration.ofNanos(System.nanoTime() - started).toMillis(), broker.directory);
            return broker;
        }

        private String clientProtocol() {
            if (tls) {
                return saslUsers.isEmpty() ? "SSL" : "SASL_SSL";
            }
            return saslUsers.isEmpty() ? "PLAINTEXT" : "SASL_PLAINTEXT";
        }
    }
}
