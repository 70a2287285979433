package dev.pgcdc.testkit.postgres;

import dev.pgcdc.testkit.environment.EnvironmentSettings;
import dev.pgcdc.testkit.environment.Provisioning;
import dev.pgcdc.testkit.environment.TestEnvironmentException;
import dev.pgcdc.testkit.process.ChildProcess;
import dev.pgcdc.testkit.process.ExitCleanup;
import dev.pgcdc.testkit.process.FreePorts;
import dev.pgcdc.testkit.process.ScratchDirectories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run by this test JVM as a child process: a fresh cluster ({@code initdb}) in a
 * temporary directory, on a free loopback port, with {@code wal_level=logical}; user and database
 * {@code postgres}, trust authentication. For a test that needs a server of its own (another
 * version, a restart, a crash); most tests share {@link TestPostgres#shared()} instead.
 *
 * <p>Lifecycle: {@link Builder#start()} returns a running server; {@link #stop()} and {@link #kill()}
 * end it but keep its data, {@link #restart()} starts it again on the same data and port,
 * {@link #close()} stops it and deletes its directory. If the test JVM exits first, a shutdown hook
 * stops it; if the JVM is killed, PostgreSQL gets SIGINT from the kernel (see {@link ChildProcess}).
 * Thread-safe.
 */
public final class PostgresServer implements PostgresDatabase, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
    private static final String SUPERUSER = "postgres";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final PostgresBinaries binaries;
    private final ProcessIdentity identity;
    private final Path directory;
    private final int port;
    private final Map<String, String> settings;
    private ChildProcess postmaster; // guarded by this
    private String serverVersion; // guarded by this

    private PostgresServer(PostgresBinaries binaries, ProcessIdentity identity, Path directory, int port,
                           Map<String, String> settings) {
        this.binaries = binaries;
        this.identity = identity;
        this.directory = directory;
        this.port = port;
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String database() {
        return SUPERUSER;
    }

    @Override
    public String user() {
        return SUPERUSER;
    }

    /** Any password works (trust authentication); this one is what the fixture reports. */
    @Override
    public String password() {
        return SUPERUSER;
    }

    /** What the binaries were resolved to, such as {@code 17.11.0} or {@code system 15}. */
    public String binariesVersion() {
        return binaries.version();
    }

    public Path dataDirectory() {
        return directory.resolve("data");
    }

    /** The server's log file (its standard error). */
    public Path logFile() {
        return directory.resolve("postgres.log");
    }

    /** The postmaster's PID, or -1 when it is not running. */
    public synchronized long pid() {
        return isRunning() ? postmaster.pid() : -1;
    }

    public synchronized boolean isRunning() {
        return postmaster != null && postmaster.isAlive();
    }

    @Override
    public synchronized String description() {
        return "PostgreSQL " + serverVersion + " on " + host() + ":" + port + " ("
                + Provisioning.LOCAL_PROCESS.label() + ", binaries " + binaries.version() + ")";
    }

    /** Fast shutdown (SIGINT: open sessions are ended); keeps the data for {@link #restart()}. */
    public synchronized void stop() {
        if (postmaster != null && !postmaster.stop("INT", STOP_GRACE)) {
            LOG.warn("PostgreSQL on port {} did not stop within {}; killed it", port, STOP_GRACE);
        }
    }

    /** {@code kill -9} of the postmaster: the next {@link #restart()} goes through crash recovery. */
    public synchronized void kill() {
        if (postmaster != null) {
            postmaster.kill();
        }
    }

    /** Stops the server if it runs, then starts it on the same data and port and waits until it accepts connections. */
    public synchronized void restart() {
        stop();
        launch();
    }

    /** Stops the server and deletes its directory. Idempotent. */
    @Override
    public synchronized void close() {
        ExitCleanup.unregister(this);
        stop();
        ScratchDirectories.delete(directory);
    }

    PostgresBinaries binaries() {
        return binaries;
    }

    ProcessIdentity identity() {
        return identity;
    }

    /** The {@code -c} settings the server is started with. */
    Map<String, String> settings() {
        return settings;
    }

    /**
     * Starts a server in the scratch directory {@code directory}, registered for the clean-up at exit:
     * on the cluster in its {@code data/} if there is one (a copy of another server's, for a standby),
     * else on a new one made by {@code initdb}. Waits until it accepts connections; closes it (and
     * deletes the directory) if any step fails.
     */
    static PostgresServer startIn(PostgresBinaries binaries, ProcessIdentity identity, Path directory,
                                  Map<String, String> settings) {
        long started = System.nanoTime();
        PostgresServer server = new PostgresServer(binaries, identity, directory, FreePorts.next(), settings);
        ExitCleanup.register(server, server::close);
        try {
            identity.handOver(directory);
            if (!Files.isDirectory(server.dataDirectory())) {
                server.initialize();
            }
            synchronized (server) {
                server.launch();
            }
        } catch (RuntimeException e) {
            server.close();
            throw e instanceof TestEnvironmentException ? e
                    : new TestEnvironmentException("cannot start PostgreSQL " + binaries.version() + ": " + e.getMessage(), e);
        }
        LOG.info("started {} in {} ms, data in {}", server.description(),
                Duration.ofNanos(System.nanoTime() - started).toMillis(), server.dataDirectory());
        return server;
    }

    private void initialize() {
        ChildProcess.run(identity.wrapper(), List.of(binaries.initdb().toString(), "-D", dataDirectory().toString(),
                "--locale=C", "-E", "UTF8", "-U", SUPERUSER, "--auth=trust", "--no-sync"), directory, Duration.ofMinutes(2));
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(binaries.postgres().toString(), "-D", dataDirectory().toString(),
                "-p", Integer.toString(port)));
        settings.forEach((name, value) -> command.addAll(List.of("-c", name + "=" + value)));
        command.addAll(List.of("-c", "unix_socket_directories=" + dataDirectory()));
        // after a kill -9 the old backends may hold the shared memory for a moment: retry briefly
        for (int attempt = 1; ; attempt++) {
            postmaster = ChildProcess.start("postgres", identity.wrapper(), command, "INT", directory, logFile());
            ScratchDirectories.recordChild(directory, postmaster);
            if (awaitReady() || attempt == 5) {
                break;
            }
            sleep(Duration.ofMillis(200L * attempt));
        }
        if (!postmaster.isAlive()) {
            throw new TestEnvironmentException("PostgreSQL (" + binaries.version() + ") on port " + port
                    + " exited with code " + postmaster.exitCode() + "\n" + postmaster.logTail(30));
        }
    }

    /** Polls a connection until the server answers (true) or the postmaster exits (false). */
    private boolean awaitReady() {
        Properties properties = connectionProperties();
        properties.setProperty("connectTimeout", "2");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!postmaster.isAlive()) {
                return false;
            }
            try (Connection connection = DriverManager.getConnection(jdbcUrl(), properties)) {
                serverVersion = connection.getMetaData().getDatabaseProductVersion();
                return true;
            } catch (SQLException e) {
                last = e;
                sleep(Duration.ofMillis(30));
            }
        }
        postmaster.kill();
        throw new TestEnvironmentException("PostgreSQL on port " + port + " did not accept connections within "
                + READY_TIMEOUT + ": " + last + "\n" + postmaster.logTail(30));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestEnvironmentException("interrupted while starting PostgreSQL", e);
        }
    }

    /** Chooses the version and settings of a {@link PostgresServer}. Not thread-safe. */
    public static final class Builder {
        private String version = EnvironmentSettings.postgresVersion();
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {
            settings.put("listen_addresses", "127.0.0.1");
            settings.put("wal_level", "logical");
            settings.put("max_replication_slots", "20");
            settings.put("max_wal_senders", "20");
            settings.put("max_connections", "200");
            settings.put("fsync", "off");
            // PREPARE TRANSACTION, for tests of two-phase decoding
            settings.put("max_prepared_transactions", "10");
        }

        /**
         * {@code 14} to {@code 18} (the newest pinned binaries of that major), a full io.zonky
         * binaries version such as {@code 14.24.0}, or {@code system}. Default: the
         * {@code pgcdc.it.postgres.version} property, else the pinned default.
         */
        public Builder version(String spec) {
            this.version = spec;
            return this;
        }

        /** A server setting passed as {@code -c name=value}, overriding the test kit's default if any. */
        public Builder setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        /** Initializes a cluster, starts the server and waits until it accepts connections. */
        public PostgresServer start() {
            ProcessIdentity identity = ProcessIdentity.forPostgres();
            PostgresBinaries binaries = PostgresBinaries.resolve(version, cacheRoot(identity));
            return startIn(binaries, identity, ScratchDirectories.create("postgres"),
                    Collections.unmodifiableMap(new LinkedHashMap<>(settings)));
        }

        private static Path cacheRoot(ProcessIdentity identity) {
            String configured = System.getProperty("pgcdc.it.cache.dir");
            if (configured != null && !configured.isBlank()) {
                return Path.of(configured);
            }
            if (identity == ProcessIdentity.NOBODY) {
                // uid 65534 cannot reach root's home
                return Path.of(System.getProperty("java.io.tmpdir"), "pgcdc-testkit-cache");
            }
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
            return base.resolve("pgcdc-testkit");
        }
    }
}
