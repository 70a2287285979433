package dev.pgcdc.testkit.postgres;

import dev.pgcdc.testkit.environment.TestEnvironmentException;
import dev.pgcdc.testkit.process.ChildProcess;
import dev.pgcdc.testkit.process.LogTail;
import dev.pgcdc.testkit.process.ScratchDirectories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.postgresql.replication.LogSequenceNumber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A physical streaming standby of a {@link PostgresServer} the test started: its own port, data
 * directory and log, made without {@code pg_basebackup} (the binaries jars have none). The primary
 * gets a physical slot named after the standby and is stopped cleanly, its data directory is copied,
 * the copy is configured as a standby ({@code standby.signal}, {@code primary_conninfo} with
 * {@code dbname}, {@code primary_slot_name}, {@code hot_standby_feedback}; on PostgreSQL 17+ also
 * {@code sync_replication_slots}), the primary is started again (on 17+ with the standby's slot in
 * {@code synchronized_standby_slots}) and {@link PostgresStandby.Builder#start()} returns once the
 * primary reports the standby streaming.
 *
 * <p>The standby is a {@link PostgresDatabase} (read-only while in recovery); {@link #server()}
 * stops, kills or restarts it. {@link #promote()} makes it a primary; {@link #primary()} is still the
 * old one, which a test typically {@link PostgresServer#kill() kills} first. {@link #close()} stops the
 * standby, deletes its directory, and, if the primary still runs, removes the standby's slot and its
 * entry in {@code synchronized_standby_slots} there (else the primary's logical walsenders would
 * wait for a standby that is gone). If the test JVM exits first, the standby is stopped like any
 * {@link PostgresServer}. Thread-safe: every method opens its own connections.
 */
public final class PostgresStandby implements PostgresDatabase, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresStandby.class);
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final PostgresServer primary;
    private final PostgresServer server;
    private final String name;

    private PostgresStandby(PostgresServer primary, PostgresServer server, String name) {
        this.primary = primary;
        this.server = server;
        this.name = name;
    }

    /** A standby of {@code primary}, which must be running and must not be shared with other tests: it is stopped and started again. */
    public static Builder of(PostgresServer primary) {
        return new Builder(primary);
    }

    /** The server this standby streams from (or streamed from, before a promotion). */
    public PostgresServer primary() {
        return primary;
    }

    /** The standby's own server: its port, log, data directory, {@code stop()}, {@code kill()}, {@code restart()}. */
    public PostgresServer server() {
        return server;
    }

    /** The standby's {@code application_name} on the primary, and the name of its physical slot there. */
    public String name() {
        return name;
    }

    @Override
    public String host() {
        return server.host();
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public String database() {
        return server.database();
    }

    @Override
    public String user() {
        return server.user();
    }

    @Override
    public String password() {
        return server.password();
    }

    @Override
    public String description() {
        return "standby " + name + " of port " + primary.port() + ": " + server.description();
    }

    /** Waits until the primary's {@code pg_stat_replication} shows this standby {@code streaming}. */
    public void awaitStreaming() {
        ServerConditions.await("standby " + name + " to stream from the primary on port " + primary.port(), BOUND,
                () -> !primary.query("SELECT 1 FROM pg_stat_replication WHERE application_name = ? AND state = 'streaming'",
                        name).isEmpty(), this::logs);
    }

    /**
     * Waits until the standby has replayed the primary's WAL up to the primary's current write
     * position, and returns that position: what the primary committed before this call is then
     * visible on the standby.
     */
    public LogSequenceNumber awaitReplayed() {
        String target = primary.queryValue(String.class, "SELECT pg_current_wal_lsn()::text");
        ServerConditions.await("standby " + name + " to replay the primary's WAL up to " + target, BOUND,
                () -> server.queryValue(Boolean.class, "SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn", target), this::logs);
        return LogSequenceNumber.valueOf(target);
    }

    /** {@code pg_is_in_recovery()}: true while a standby, false once promoted. */
    public boolean isInRecovery() {
        return server.queryValue(Boolean.class, "SELECT pg_is_in_recovery()");
    }

    /**
     * Promotes the standby ({@code pg_promote()}) and returns once it accepts writes, on a new
     * timeline. Its synchronised slots that were sync-ready stay (as slots of the new primary);
     * the ones still temporary are dropped.
     */
    public void promote() {
        if (!Boolean.TRUE.equals(server.queryValue(Boolean.class, "SELECT pg_promote(true, 60)"))) {
            throw new TestEnvironmentException("standby " + name + " did not finish its promotion within 60 s\n" + logs());
        }
        ServerConditions.await("standby " + name + " to leave recovery", BOUND, () -> !isInRecovery(), this::logs);
        LOG.info("promoted {}", description());
    }

    /**
     * Creates a logical slot on this standby (PostgreSQL 16+, for decoding on a standby) and returns
     * the LSN it starts at. Creation on a standby waits for the primary to log its running
     * transactions, so meanwhile this asks the primary for that record ({@code pg_log_standby_snapshot()}).
     */
    public LogSequenceNumber createLogicalSlot(String slot, String plugin) {
        if (serverMajorVersion() < 16) {
            throw new TestEnvironmentException("logical slots on a standby need PostgreSQL 16 or later; " + description());
        }
        CompletableFuture<String> created = CompletableFuture.supplyAsync(() -> server.queryValue(String.class,
                "SELECT lsn::text FROM pg_create_logical_replication_slot(?, ?)", slot, plugin), PostgresStandby::daemon);
        ServerConditions.await("logical slot " + slot + " to be created on standby " + name, BOUND, () -> {
            if (!created.isDone()) {
                primary.query("SELECT pg_log_standby_snapshot()::text");
            }
            return created.isDone();
        }, this::logs);
        try {
            return LogSequenceNumber.valueOf(created.join());
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** The end of both servers' logs, for failure messages. */
    String logs() {
        return LogTail.of(server.logFile(), 30) + "\n" + LogTail.of(primary.logFile(), 15);
    }

    /** Stops the standby and deletes its directory; cleans up after it on the primary if that still runs. Idempotent. */
    @Override
    public void close() {
        server.close();
        if (!primary.isRunning()) {
            return;
        }
        try {
            if (primary.serverMajorVersion() >= 17) {
                SynchronizedStandbySlots.remove(primary, name);
            }
            primary.dropReplicationSlotIfExists(name);
        } catch (TestEnvironmentException e) {
            LOG.warn("cannot remove standby {} from the primary on port {}: {}", name, primary.port(), e.getMessage());
        }
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "pgcdc-testkit-standby-slot");
        thread.setDaemon(true);
        thread.start();
    }

    /** Chooses the name and settings of a {@link PostgresStandby}. Not thread-safe. */
    public static final class Builder {
        private final PostgresServer primary;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private String name = "standby1";

        private Builder(PostgresServer primary) {
            this.primary = primary;
        }

        /**
         * The standby's {@code application_name} and physical slot name on the primary (lower-case
         * letters, digits and underscores); default {@code standby1}. Two standbys of one primary need two names.
         */
        public Builder name(String standbyName) {
            if (!NAME.matcher(standbyName).matches()) {
                throw new IllegalArgumentException("a standby name is a slot name (lower-case letters, digits, _): " + standbyName);
            }
            this.name = standbyName;
            return this;
        }

        /** A server setting of the standby ({@code -c name=value}), on top of the primary's. */
        public Builder setting(String setting, String value) {
            settings.put(setting, value);
            return this;
        }

        /**
         * Stops the primary, copies its cluster, starts the primary again and the standby, and waits
         * until the standby streams. Sessions open on the primary are ended by its stop.
         */
        public PostgresStandby start() {
            if (!primary.isRunning()) {
                throw new TestEnvironmentException("the primary on port " + primary.port() + " must run to make a standby of it");
            }
            int major = primary.serverMajorVersion();
            primary.query("SELECT slot_name::text FROM pg_create_physical_replication_slot(?, true)", name);
            primary.stop();
            Path directory = ScratchDirectories.create("postgres-standby");
            try {
                copyCluster(primary.dataDirectory(), directory.resolve("data"), major);
            } catch (RuntimeException e) {
                ScratchDirectories.delete(directory);
                primary.restart();
                throw e;
            }
            primary.restart();
            if (major >= 17) {
                SynchronizedStandbySlots.add(primary, name);
            }
            Map<String, String> merged = new LinkedHashMap<>(primary.settings());
            merged.putAll(settings);
            PostgresServer server = PostgresServer.startIn(primary.binaries(), primary.identity(), directory, merged);
            PostgresStandby standby = new PostgresStandby(primary, server, name);
            try {
                standby.awaitStreaming();
            } catch (RuntimeException e) {
                standby.close();
                throw e;
            }
            LOG.info("started {}", standby.description());
            return standby;
        }

        /** Copies the stopped primary's cluster and makes the copy a standby of it, with no replication slots of its own. */
        private void copyCluster(Path source, Path target, int major) {
            ChildProcess.run(List.of(), List.of("cp", "-a", source.toString(), target.toString()), target.getParent(),
                    Duration.ofMinutes(2));
            try {
                Files.deleteIfExists(target.resolve("postmaster.pid"));
                Files.deleteIfExists(target.resolve("postmaster.opts"));
                // the primary's slots (this standby's own among them) are not the standby's: a
                // leftover logical slot would even block the synchronisation of one of that name
                try (DirectoryStream<Path> slots = Files.newDirectoryStream(target.resolve("pg_replslot"))) {
                    slots.forEach(ScratchDirectories::delete);
                }
                Files.createFile(target.resolve("standby.signal"));
                List<String> lines = new ArrayList<>(Arrays.asList(
                        "primary_conninfo = 'host=" + primary.host() + " port=" + primary.port() + " user=" + primary.user()
                                + " dbname=" + primary.database() + " application_name=" + name + "'",
                        "primary_slot_name = '" + name + "'",
                        "hot_standby_feedback = 'on'"));
                if (major >= 17) {
                    // dbname in primary_conninfo is what slot synchronisation connects with; a
                    // promoted standby has no standbys of its own to wait for
                    lines.addAll(List.of("sync_replication_slots = 'on'", "synchronized_standby_slots = ''"));
                }
                Files.write(target.resolve("postgresql.auto.conf"), lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot configure the standby copy in " + target, e);
            }
        }
    }
}
