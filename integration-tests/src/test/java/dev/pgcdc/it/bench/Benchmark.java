package dev.pgcdc.it.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.environment.EnvironmentSettings;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.kafka.TestKafka;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import dev.pgcdc.testkit.postgres.PostgresServer;
import dev.pgcdc.testkit.postgres.TestPostgres;
import dev.pgcdc.testkit.process.ChildProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * pgcdc's benchmark, run by hand ({@code integration-tests/bench.sh}, see docs/benchmarks.md), never
 * by {@code verify}: pgcdc started from its distribution as users start it ({@code bin/pgcdc run
 * --config <file>}, json handler, defaults) against the limits of PostgreSQL itself,
 * {@code pg_recvlogical} with pgoutput protocol 1 and with protocol 2 + {@code streaming=on}, each
 * on its own slot over the same WAL, one at a time. Prints a table of medians and writes a JSON file.
 *
 * <p>Workloads ({@code -Dbench.workloads}, comma-separated):
 * <ul>
 *   <li>{@code rows}: the Go tool's, {@code users(id serial primary key, name text not null, created_on
 *       timestamptz)}, REPLICA IDENTITY FULL, {@code -Dbench.rows} rows inserted by {@code INSERT ... SELECT
 *       generate_series} statements (one transaction each) of at most {@code -Dbench.rows.transaction-rows} rows, after
 *       the slots exist;</li>
 *   <li>{@code small}: {@code -Dbench.small.rows} rows in transactions of 10 rows from 4 clients;</li>
 *   <li>{@code latency}: single-row commits at {@code -Dbench.latency.rate} per second from 4 sessions
 *       (synchronous_commit on) for {@code -Dbench.latency.seconds} after a {@code -Dbench.latency.ramp}
 *       second ramp, pgcdc running; commit (the row's {@code clock_timestamp()}) to the broker's
 *       log-append time of its record;</li>
 *   <li>{@code snapshot}: the same table filled with {@code -Dbench.snapshot.rows} rows and vacuumed, then read by
 *       pgcdc's {@code snapshot.mode = snapshot_only}, by each of the {@code -Dbench.snapshot.instances} counts of
 *       processes sharing one job (launch of the first to exit 0 of the last, every row in the topic once) against the
 *       limit of PostgreSQL reading it with nothing behind it, {@code COPY (SELECT * FROM users) TO STDOUT} discarded,
 *       and the limit of the broker taking as many records of the same sizes from a bare Kafka producer
 *       ({@link ProduceLimit}; {@code -Dbench.snapshot.produce-limit=false} skips it).</li>
 * </ul>
 *
 * <p>The servers: PostgreSQL and Kafka of {@code PGCDC_IT_POSTGRES_URL} and {@code PGCDC_IT_KAFKA_BOOTSTRAP}
 * when set; otherwise a PostgreSQL of the bench's own (the test kit's local server, version
 * {@code -Dbench.postgres.version}, default the system's binaries, with {@code fsync} on) and the test
 * kit's broker. The CPU of the servers is read from {@code /proc} when they run on this machine.
 */
public final class Benchmark {

    private static final List<String> WORKLOADS = List.of("rows", "small", "latency", "snapshot");
    /** Rows per {@code INSERT} (one transaction) that fills the snapshot's table. */
    private static final long STATEMENT_ROWS = 1_000_000;
    private static final int SMALL_TRANSACTION_ROWS = 10;
    private static final int CLIENTS = 4;
    private static final long POLL_MILLIS = 50;
    /** Records read from each tenth of each partition of pgcdc's snapshot topic for their sizes. */
    private static final int SAMPLE_RECORDS = 100;

    private final Options options;
    private final PostgresDatabase postgres;
    private final KafkaCluster kafka;
    private final Distribution distribution;
    private final Path directory;
    private final OptionalLong postgresPid;
    private final OptionalLong brokerPid;
    private final Report report = new Report();

    private Benchmark(Options options, PostgresDatabase postgres, KafkaCluster kafka, Distribution distribution, Path directory) {
        this.options = options;
        this.postgres = postgres;
        this.kafka = kafka;
        this.distribution = distribution;
        this.directory = directory;
        this.postgresPid = isLocal(postgres.host()) ? Proc.listeningPid(postgres.port()) : OptionalLong.empty();
        String broker = kafka.bootstrapServers().split(",")[0];
        int colon = broker.lastIndexOf(':');
        this.brokerPid = isLocal(broker.substring(0, colon)) ? Proc.listeningPid(Integer.parseInt(broker.substring(colon + 1))) : OptionalLong.empty();
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.fromSystemProperties();
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path directory = options.directory().resolve(stamp).toAbsolutePath();
        Files.createDirectories(directory);
        Distribution distribution = Distribution.extract(options.distribution(), directory.resolve("dist"));
        PostgresServer ownServer = null;
        int exitCode = 1;
        try {
            PostgresDatabase postgres;
            if (EnvironmentSettings.postgresUrl().isPresent()) {
                postgres = TestPostgres.shared();
            } else {
                PostgresServer.Builder builder = PostgresServer.builder().setting("fsync", options.fsync());
                if (options.postgresVersion() != null) {
                    builder.version(options.postgresVersion());
                }
                ownServer = builder.start();
                postgres = ownServer;
                System.out.println("bench: " + ownServer.description());
            }
            Benchmark bench = new Benchmark(options, postgres, TestKafka.shared(), distribution, directory);
            bench.runAll(stamp);
            exitCode = 0;
        } catch (Exception | AssertionError e) {
            // exit below all the same: client threads of the test kit's broker would keep this JVM alive
            System.err.println("bench: failed (configurations and logs in " + directory + ")");
            e.printStackTrace();
        } finally {
            if (ownServer != null) {
                ownServer.close();
            }
        }
        System.exit(exitCode); // the test kit's broker stops with this JVM
    }

    private void runAll(String stamp) throws Exception {
        Map<String, Object> conditions = conditions();
        System.out.println("bench: " + conditions);
        for (String workload : options.workloads()) {
            if (workload.equals("snapshot")) {
                snapshot();
                continue;
            }
            for (int run = 1; run <= options.runs(); run++) {
                if (workload.equals("latency")) {
                    latency(run);
                } else {
                    throughput(workload, run);
                }
            }
        }
        conditions.put("loadAverageAtEnd", Proc.read("loadavg"));
        Path json = directory.resolve("bench-" + stamp + ".json");
        report.writeJson(json, conditions);
        System.out.println();
        System.out.println("Medians of " + options.runs() + " run(s); " + conditions.get("machine") + "; load average before "
                + conditions.get("loadAverageAtStart") + ", after " + conditions.get("loadAverageAtEnd"));
        System.out.println();
        System.out.print(report.table());
        System.out.println();
        System.out.println("bench: every run, the conditions and the medians: " + json);
    }

    // ---------------------------------------------------------------- rows, small

    /** Writes the rows with every slot in place, then lets each contender drain them from its own slot, one after the other. */
    private void throughput(String workload, int run) throws Exception {
        boolean bulk = workload.equals("rows");
        long rows = bulk ? options.rows() : options.smallRows() / SMALL_TRANSACTION_ROWS * SMALL_TRANSACTION_ROWS;
        String table = TestNames.unique("users");
        String publication = table + "_pub";
        List<String> slots = List.of(table + "_p1", table + "_p2", table + "_pgcdc");
        postgres.execute("CREATE TABLE " + table + " (id serial PRIMARY KEY, name text NOT NULL, created_on timestamptz)",
                "ALTER TABLE " + table + " REPLICA IDENTITY FULL",
                // no autovacuum of the fresh table while the contenders read: it would load the server unevenly
                "ALTER TABLE " + table + " SET (autovacuum_enabled = false)",
                "CREATE PUBLICATION " + publication + " FOR TABLE " + table);
        slots.forEach(slot -> postgres.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')"));
        String topic = createTopic(table);
        try {
            long started = System.nanoTime();
            long transactionRows = bulk ? options.rowsTransactionRows() : SMALL_TRANSACTION_ROWS;
            if (bulk) {
                insertRows(table, rows, transactionRows);
            } else {
                insertSmallTransactions(table, rows / SMALL_TRANSACTION_ROWS);
            }
            postgres.execute("CHECKPOINT"); // not during the contenders' runs
            String endLsn = postgres.queryValue(String.class, "SELECT pg_current_wal_lsn()::text");
            System.out.printf("bench: %s run %d: %d rows written in transactions of at most %d rows in %.1f s, WAL up to %s%n", workload,
                    run, rows, transactionRows, (System.nanoTime() - started) / 1e9, endLsn);
            if (options.recvlogical() != null) {
                report.add(recvlogical(workload, run, rows, slots.get(0), publication, endLsn, false));
                report.add(recvlogical(workload, run, rows, slots.get(1), publication, endLsn, true));
            }
            report.add(pgcdc(workload, run, rows, table, publication, slots.get(2), topic));
        } finally {
            slots.forEach(postgres::dropReplicationSlotIfExists);
            postgres.execute("DROP PUBLICATION " + publication, "DROP TABLE " + table);
            deleteTopic(topic);
        }
    }

    /**
     * {@code rows} rows of the Go tool's shape, by {@code INSERT ... SELECT generate_series} statements of at most
     * {@code statementRows} rows, each its own transaction (autocommit).
     */
    private void insertRows(String table, long rows, long statementRows) {
        for (long done = 0; done < rows; done += statementRows) {
            postgres.execute("INSERT INTO " + table + " (name, created_on) SELECT 'user-' || g, now() FROM generate_series(1, "
                    + Math.min(statementRows, rows - done) + ") g");
        }
    }

    private void insertSmallTransactions(String table, long transactions) throws Exception {
        AtomicLong left = new AtomicLong(transactions);
        String sql = "INSERT INTO " + table + " (name, created_on) SELECT 'user-' || g, now() FROM generate_series(1, "
                + SMALL_TRANSACTION_ROWS + ") g";
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                done.add(clients.submit(() -> {
                    try (Connection connection = postgres.connect(); Statement statement = connection.createStatement()) {
                        while (left.getAndDecrement() > 0) {
                            statement.execute(sql);
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> client : done) {
                client.get();
            }
        } finally {
            clients.shutdownNow();
        }
    }

    /** pg_recvlogical from its slot up to {@code endLsn}, to /dev/null; CPU and peak RSS from /usr/bin/time (children included). */
    private Measurement recvlogical(String workload, int run, long rows, String slot, String publication, String endLsn, boolean streaming)
            throws IOException {
        Path times = directory.resolve(slot + ".time");
        boolean timed = Files.isExecutable(Path.of("/usr/bin/time"));
        List<String> command = new ArrayList<>();
        if (timed) {
            command.addAll(List.of("/usr/bin/time", "-o", times.toString(), "-f", "%U %S %M"));
        }
        String connection = "host=" + postgres.host() + " port=" + postgres.port() + " user=" + postgres.user() + " dbname=" + postgres.database()
                + (postgres.password() == null || postgres.password().isEmpty() ? "" : " password=" + postgres.password());
        command.addAll(List.of(options.recvlogical(), "-d", connection, "--slot=" + slot, "--plugin=pgoutput",
                "-o", "proto_version=" + (streaming ? 2 : 1), "-o", "publication_names=" + publication));
        if (streaming) {
            command.addAll(List.of("-o", "streaming=on"));
        }
        command.addAll(List.of("--start", "-E", endLsn, "--no-loop", "-f", "/dev/null"));
        String load = Proc.read("loadavg");
        ServerCpu servers = serverCpu();
        long started = System.nanoTime();
        ChildProcess process = ChildProcess.start(slot, List.of(), command, "KILL", directory, directory.resolve(slot + ".log"));
        double sampledCpu = 0;
        long sampledPeakKb = 0;
        while (!process.awaitExit(Duration.ofMillis(20))) {
            if (!timed) { // no /usr/bin/time: sample the process itself (misses its last 20 ms)
                sampledCpu = Math.max(sampledCpu, Proc.cpuSeconds(process.pid()));
                sampledPeakKb = Math.max(sampledPeakKb, Proc.statusKb(process.pid(), "VmHWM"));
            }
            if (System.nanoTime() - started > TimeUnit.SECONDS.toNanos(options.timeoutSeconds())) {
                process.kill();
                throw new IllegalStateException("pg_recvlogical did not reach " + endLsn + " within " + options.timeoutSeconds() + " s: " + command);
            }
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        Double postgresCpu = servers.postgresSeconds();
        Double brokerCpu = servers.brokerSeconds();
        if (process.exitCode() != 0) {
            throw new IllegalStateException("pg_recvlogical exited with " + process.exitCode() + ": " + command + "\n" + process.logTail(20));
        }
        double cpu = timed ? timeCpuSeconds(times) : sampledCpu;
        long peakKb = timed ? timePeakKb(times) : sampledPeakKb;
        postgres.dropReplicationSlotIfExists(slot);
        return new Measurement(workload, streaming ? Measurement.RECVLOGICAL_2 : Measurement.RECVLOGICAL_1, run, rows, elapsed, null,
                cpu, peakKb * 1024 / 1e6, postgresCpu, brokerCpu, null, load);
    }

    /** pgcdc from its launcher until the topic's end offsets add up to {@code rows}; its CPU and VmHWM just then. */
    private Measurement pgcdc(String workload, int run, long rows, String table, String publication, String slot, String topic)
            throws Exception {
        Path config = Distribution.writeConfig(directory, postgres, kafka, publication, table, "FULL", slot, topic);
        String load = Proc.read("loadavg");
        ServerCpu servers = serverCpu();
        long started = System.nanoTime();
        ChildProcess service = distribution.start(config, directory, slot, options.javaOpts());
        try (Admin admin = kafka.admin()) {
            Double firstRecord = null;
            long peakKb = 0;
            while (true) {
                long offsets = endOffsets(admin, topic);
                long now = System.nanoTime();
                peakKb = Math.max(peakKb, Proc.statusKb(service.pid(), "VmHWM"));
                if (offsets > 0 && firstRecord == null) {
                    firstRecord = (now - started) / 1e9;
                }
                if (offsets >= rows) {
                    double cpu = Proc.cpuSeconds(service.pid());
                    peakKb = Math.max(peakKb, Proc.statusKb(service.pid(), "VmHWM"));
                    return new Measurement(workload, Measurement.PGCDC, run, rows, (now - started) / 1e9, firstRecord, cpu,
                            peakKb * 1024 / 1e6, servers.postgresSeconds(), servers.brokerSeconds(), null, load);
                }
                checkRunning(service, offsets + " of " + rows + " records in " + topic);
                if (now - started > TimeUnit.SECONDS.toNanos(options.timeoutSeconds())) {
                    throw new IllegalStateException("pgcdc delivered " + offsets + " of " + rows + " records within " + options.timeoutSeconds() + " s"
                            + "\n" + service.logTail(40));
                }
                Thread.sleep(POLL_MILLIS);
            }
        } finally {
            stop(service);
            postgres.dropReplicationSlotIfExists(slot);
        }
    }

    // ---------------------------------------------------------------- snapshot

    /**
     * The Go tool's table, filled once with {@code -Dbench.snapshot.rows} rows and {@code VACUUM ANALYZE}d (which
     * also reads every page, so each run finds it cached alike); then, each run, {@link #snapshotRun} on it.
     */
    private void snapshot() throws Exception {
        long rows = options.snapshotRows();
        String table = TestNames.unique("users");
        postgres.execute("CREATE TABLE " + table + " (id serial PRIMARY KEY, name text NOT NULL, created_on timestamptz)");
        try {
            long started = System.nanoTime();
            insertRows(table, rows, STATEMENT_ROWS);
            postgres.execute("VACUUM ANALYZE " + table, "CHECKPOINT");
            System.out.printf("bench: snapshot: %d rows written and vacuumed in %.1f s, table %s of %s%n", rows,
                    (System.nanoTime() - started) / 1e9, table,
                    postgres.queryValue(String.class, "SELECT pg_size_pretty(pg_table_size('" + table + "'))"));
            for (int run = 1; run <= options.runs(); run++) {
                snapshotRun(run, rows, table);
            }
        } finally {
            postgres.execute("DROP TABLE " + table);
        }
    }

    /**
     * One run's contenders, one after the other: the PostgreSQL limit ({@link #copyToNothing}); pgcdc's
     * {@code snapshot_only} ({@link #pgcdcSnapshot}) with each count of {@code -Dbench.snapshot.instances}, each into a
     * topic of its own; and, right after the single-instance read (else the first), the Kafka limit
     * ({@link #produceLimit}) with the sizes of that read's records, sampled before its topic is deleted.
     */
    private void snapshotRun(int run, long rows, String table) throws Exception {
        report.add(copyToNothing(run, rows, table));
        int sampled = options.snapshotInstances().contains(1) ? 1 : options.snapshotInstances().get(0);
        boolean produceLimitDue = options.snapshotProduceLimit();
        for (int instances : options.snapshotInstances()) {
            String job = table + "_snapshot_" + run + "_x" + instances;
            String topic = createTopic(job);
            RecordSizes sizes = null;
            try {
                report.add(pgcdcSnapshot(run, rows, table, instances, job, topic));
                if (produceLimitDue && instances == sampled) {
                    sizes = sampleSizes(topic);
                    System.out.println("bench: snapshot run " + run + ": pgcdc's records in " + topic + ", " + sizes);
                }
            } finally {
                deleteTopic(topic);
            }
            if (sizes != null) {
                report.add(produceLimit(run, rows, table + "_produce_" + run, sizes));
                produceLimitDue = false;
            }
        }
    }

    /**
     * The limit: PostgreSQL reading the table with nothing behind it, {@code COPY (SELECT * FROM <table>) TO STDOUT}
     * (text format) through pgjdbc's {@code CopyManager} into an {@code OutputStream} that discards the bytes, on
     * one connection of the bench's JVM. CPU is the reading thread's; no peak RSS (it is the bench's JVM).
     */
    private Measurement copyToNothing(int run, long rows, String table) throws SQLException, IOException {
        String load = Proc.read("loadavg");
        try (Connection connection = postgres.connect()) {
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            ServerCpu servers = serverCpu();
            long cpuAtStart = threads.getCurrentThreadCpuTime();
            long started = System.nanoTime();
            long copied = copy.copyOut("COPY (SELECT * FROM " + table + ") TO STDOUT", OutputStream.nullOutputStream());
            double elapsed = (System.nanoTime() - started) / 1e9;
            double cpu = (threads.getCurrentThreadCpuTime() - cpuAtStart) / 1e9;
            if (copied != rows) {
                throw new IllegalStateException("COPY of " + table + " returned " + copied + " rows, not " + rows);
            }
            return new Measurement("snapshot", Measurement.COPY, run, rows, elapsed, null, cpu, null, servers.postgresSeconds(),
                    servers.brokerSeconds(), null, load);
        }
    }

    /**
     * {@code instances} pgcdc processes from the launcher, started at once with one configuration holding
     * {@code pgcdc.snapshot { mode = snapshot_only, id = "<job>", tables = ["public.<table>"] }}: the same job id makes
     * them one job, planned by the first to open it, whose chunks all of them claim (docs/operations.md, "Initial
     * snapshot"); a job of its own per run and count, since a completed job is not taken again. The publication and
     * slot named in the configuration are neither needed nor created. Measured by {@link #awaitProcesses} (a shared job
     * sends each row once: only a chunk taken over from a killed instance is read again).
     */
    private Measurement pgcdcSnapshot(int run, long rows, String table, int instances, String job, String topic) throws Exception {
        Path config = Distribution.writeConfig(directory, postgres, kafka, table + "_pub", table, "DEFAULT", job, topic,
                "  snapshot { mode = snapshot_only, id = \"" + job + "\", tables = [\"public." + table + "\"] }\n");
        List<Supplier<SnapshotProcess>> launches = new ArrayList<>();
        for (int instance = 1; instance <= instances; instance++) {
            String name = job + "_" + instance;
            launches.add(() -> startSnapshotProcess(config, name));
        }
        return awaitProcesses(Measurement.pgcdcInstances(instances), run, rows, topic,
                "pgcdc's snapshot_only of " + rows + " rows by " + instances + " instance(s)", "logs " + job + "_*.log in " + directory,
                launches);
    }

    /**
     * The Kafka side's limit: {@link ProduceLimit} in a JVM of its own, started as pgcdc's is (the launcher's JVM
     * options or {@code -Dbench.java-opts}, the distribution's {@code lib/*}, see {@link Distribution#startJava}),
     * sending {@code rows} records of pgcdc's average sizes into a fresh topic like pgcdc's. Measured by
     * {@link #awaitProcesses}, as pgcdc's snapshot processes are.
     *
     * @param name the topic's, the log's ({@code <name>.log}) and {@code /usr/bin/time}'s file's
     */
    private Measurement produceLimit(int run, long rows, String name, RecordSizes sizes) throws Exception {
        Path classes = Path.of(ProduceLimit.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path times = Distribution.canTime() ? directory.resolve(name + ".time") : null;
        String topic = createTopic(name);
        List<String> arguments = new ArrayList<>(List.of(kafka.bootstrapServers(), topic, Long.toString(rows),
                Long.toString(Math.round(sizes.keyBytes())), Long.toString(Math.round(sizes.valueBytes()))));
        for (Header header : sizes.headers()) {
            arguments.addAll(List.of(header.key(), Base64.getEncoder().encodeToString(header.value())));
        }
        try {
            return awaitProcesses(Measurement.PRODUCE, run, rows, topic, "the Kafka producer limit of " + rows + " records",
                    "its log " + name + ".log in " + directory,
                    List.of(() -> new SnapshotProcess("the Kafka producer limit", distribution.startJava(ProduceLimit.class.getName(),
                            classes, arguments, directory, name, options.javaOpts(), times), times)));
        } finally {
            deleteTopic(topic);
        }
    }

    /**
     * Launches the processes, one after the other, and waits for all of them to exit. Timed from the first launch to
     * the last exit; each must exit 0, and then the topic's end offsets must add up to exactly {@code rows}. CPU is
     * the sum over the processes, peak RSS the largest of any one; the first record's time is polled from the topic.
     *
     * @param what what the processes do, for messages
     * @param logs where their logs are, for messages
     */
    private Measurement awaitProcesses(String contender, int run, long rows, String topic, String what, String logs,
                                       List<Supplier<SnapshotProcess>> launches) throws Exception {
        String load = Proc.read("loadavg");
        ServerCpu servers = serverCpu();
        long started = System.nanoTime();
        List<SnapshotProcess> processes = new ArrayList<>();
        try (Admin admin = kafka.admin()) {
            for (Supplier<SnapshotProcess> launch : launches) {
                processes.add(launch.get());
            }
            Double firstRecord = null;
            while (!awaitExits(processes)) {
                for (SnapshotProcess process : processes) {
                    process.sample();
                    process.checkNotFailed();
                }
                if (firstRecord == null && endOffsets(admin, topic) > 0) {
                    firstRecord = (System.nanoTime() - started) / 1e9;
                }
                if (System.nanoTime() - started > TimeUnit.SECONDS.toNanos(options.timeoutSeconds())) {
                    throw new IllegalStateException(what + " did not end within " + options.timeoutSeconds() + " s ("
                            + endOffsets(admin, topic) + " records in " + topic + "); " + logs);
                }
            }
            double elapsed = (System.nanoTime() - started) / 1e9;
            Double postgresCpu = servers.postgresSeconds();
            Double brokerCpu = servers.brokerSeconds();
            processes.forEach(SnapshotProcess::checkNotFailed);
            long offsets = endOffsets(admin, topic);
            if (offsets != rows) {
                throw new IllegalStateException(what + " exited 0 with " + offsets + " records in " + topic + ", not " + rows + "; " + logs);
            }
            double cpu = 0;
            long peakKb = 0;
            for (SnapshotProcess process : processes) {
                cpu += process.cpuSeconds();
                peakKb = Math.max(peakKb, process.peakKb());
            }
            return new Measurement("snapshot", contender, run, rows, elapsed, firstRecord, cpu, peakKb * 1024 / 1e6, postgresCpu,
                    brokerCpu, null, load);
        } finally {
            processes.stream().map(SnapshotProcess::service).filter(ChildProcess::isAlive).forEach(Benchmark::stop);
        }
    }

    /**
     * The average sizes of pgcdc's records in {@code topic}, and the headers of the first: {@value #SAMPLE_RECORDS}
     * records from each tenth of each partition, so that the sample spans the table's ids (whose digits make later
     * rows' keys and values longer than the first's).
     */
    private RecordSizes sampleSizes(String topic) {
        Map<String, Object> properties = kafka.clientProperties();
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, SAMPLE_RECORDS);
        List<ConsumerRecord<byte[], byte[]>> sample = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int number = 0; number < options.partitions(); number++) {
                TopicPartition partition = new TopicPartition(topic, number);
                consumer.assign(List.of(partition));
                long begin = consumer.beginningOffsets(List.of(partition)).get(partition);
                long end = consumer.endOffsets(List.of(partition)).get(partition);
                for (int tenth = 0; tenth < 10; tenth++) {
                    long from = begin + (end - begin) * tenth / 10;
                    long to = Math.min(from + SAMPLE_RECORDS, begin + (end - begin) * (tenth + 1) / 10);
                    sample.addAll(read(consumer, partition, from, to, deadline));
                }
            }
        }
        if (sample.isEmpty()) {
            throw new IllegalStateException("no record of pgcdc's in " + topic + " to take the sizes of");
        }
        double count = sample.size();
        return new RecordSizes(sample.size(), sample.stream().mapToLong(record -> Math.max(0, record.serializedKeySize())).sum() / count,
                sample.stream().mapToLong(record -> Math.max(0, record.serializedValueSize())).sum() / count,
                sample.stream().mapToLong(Benchmark::headerBytes).sum() / count, List.of(sample.get(0).headers().toArray()));
    }

    /** The bytes of the record's header keys (UTF-8) and values. */
    private static long headerBytes(ConsumerRecord<byte[], byte[]> record) {
        long bytes = 0;
        for (Header header : record.headers()) {
            bytes += header.key().getBytes(StandardCharsets.UTF_8).length + (header.value() == null ? 0 : header.value().length);
        }
        return bytes;
    }

    /** The records of {@code partition} from offset {@code from} up to {@code to} (excluded); fails past {@code deadline}. */
    private static List<ConsumerRecord<byte[], byte[]>> read(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long from,
                                                             long to, long deadline) {
        consumer.seek(partition, from);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        while (consumer.position(partition) < to) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read a sample of " + partition + " within 60 s: at offset "
                        + consumer.position(partition) + " of " + from + " to " + to);
            }
            consumer.poll(Duration.ofMillis(POLL_MILLIS)).records(partition).stream().filter(record -> record.offset() < to).forEach(records::add);
        }
        return records;
    }

    /** Average bytes per record of a sample, and the headers of its first record. */
    private record RecordSizes(long sampled, double keyBytes, double valueBytes, double headerBytes, List<Header> headers) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d sampled, on average key %.1f bytes, value %.1f bytes, headers %.1f bytes%s", sampled,
                    keyBytes, valueBytes, headerBytes, headers.isEmpty() ? " (none)"
                            : " (" + headers.stream().map(Header::key).collect(Collectors.joining(", ")) + ")");
        }
    }

    /** pgcdc under {@code /usr/bin/time} where it exists (times in {@code <directory>/<name>.time}), output in {@code <name>.log}. */
    private SnapshotProcess startSnapshotProcess(Path config, String name) {
        if (!Distribution.canTime()) {
            return new SnapshotProcess("pgcdc's snapshot_only", distribution.start(config, directory, name, options.javaOpts()), null);
        }
        Path times = directory.resolve(name + ".time");
        return new SnapshotProcess("pgcdc's snapshot_only", distribution.startTimed(config, directory, name, options.javaOpts(), times),
                times);
    }

    /** Waits up to 50 ms for the first process still running; true when none is. */
    private static boolean awaitExits(List<SnapshotProcess> processes) {
        for (SnapshotProcess process : processes) {
            if (!process.service().awaitExit(Duration.ofMillis(POLL_MILLIS))) {
                return false;
            }
        }
        return true;
    }

    /**
     * One process of the snapshot workload, {@code what} in messages: a pgcdc process of a snapshot job, or the Kafka
     * producer limit. Its CPU and peak RSS come from {@code /usr/bin/time} at its exit when {@code times} is given, else
     * from {@code /proc}, sampled every 50 ms while it runs.
     */
    private static final class SnapshotProcess {
        private final String what;
        private final ChildProcess service;
        private final Path times;
        private double sampledCpu;
        private long sampledPeakKb;

        SnapshotProcess(String what, ChildProcess service, Path times) {
            this.what = what;
            this.service = service;
            this.times = times;
        }

        ChildProcess service() {
            return service;
        }

        void sample() {
            if (times == null) {
                sampledCpu = Math.max(sampledCpu, Proc.cpuSeconds(service.pid()));
                sampledPeakKb = Math.max(sampledPeakKb, Proc.statusKb(service.pid(), "VmHWM"));
            }
        }

        /**
         * Fails once the process has exited with other than 0: the run is void then (the chunk a pgcdc process held
         * would be read again after a takeover), so the others are not waited for.
         */
        void checkNotFailed() {
            if (!service.isAlive() && service.exitCode() != 0) {
                throw new IllegalStateException(what + " exited with " + service.exitCode() + "; its log "
                        + service.logFile() + ":\n" + service.logTail(40));
            }
        }

        double cpuSeconds() throws IOException {
            return times == null ? sampledCpu : timeCpuSeconds(times);
        }

        long peakKb() throws IOException {
            return times == null ? sampledPeakKb : timePeakKb(times);
        }
    }

    /** User + system CPU seconds of the file {@code /usr/bin/time -f "%U %S %M"} wrote. */
    private static double timeCpuSeconds(Path times) throws IOException {
        String[] fields = timeFields(times);
        return Double.parseDouble(fields[0]) + Double.parseDouble(fields[1]);
    }

    /** Peak RSS in KiB of the file {@code /usr/bin/time -f "%U %S %M"} wrote. */
    private static long timePeakKb(Path times) throws IOException {
        return Long.parseLong(timeFields(times)[2]);
    }

    private static String[] timeFields(Path times) throws IOException {
        String[] lines = Files.readString(times, StandardCharsets.US_ASCII).trim().split("\n");
        return lines[lines.length - 1].trim().split("\\s+"); // a child killed by a signal adds a line before
    }

    // ---------------------------------------------------------------- latency

    /**
     * pgcdc streams while 4 sessions commit single rows at the set rate; each row carries its
     * {@code clock_timestamp()} in microseconds, and its record's timestamp is the broker's
     * log-append time (the topic's {@code message.timestamp.type}). Rows of the ramp are not counted.
     */
    private void latency(int run) throws Exception {
        String table = TestNames.unique("latency");
        String publication = table + "_pub";
        String slot = table + "_pgcdc";
        postgres.execute("CREATE TABLE " + table + " (id bigserial PRIMARY KEY, session int NOT NULL, created_us bigint NOT NULL)",
                "CREATE PUBLICATION " + publication + " FOR TABLE " + table,
                "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        String topic = createTopic(table);
        Path config = Distribution.writeConfig(directory, postgres, kafka, publication, table, "DEFAULT", slot, topic);
        String load = Proc.read("loadavg");
        ChildProcess service = distribution.start(config, directory, slot, options.javaOpts());
        try {
            awaitSlotActive(service, slot);
            long rampNanos = TimeUnit.SECONDS.toNanos(options.latencyRampSeconds());
            long windowNanos = TimeUnit.SECONDS.toNanos(options.latencySeconds());
            long start = System.nanoTime();
            long epochMicrosAtStart = Instant.now().toEpochMilli() * 1000;
            long windowStartMicros = epochMicrosAtStart + rampNanos / 1000;
            long windowEndMicros = windowStartMicros + windowNanos / 1000;
            ExecutorService sessions = Executors.newFixedThreadPool(CLIENTS);
            List<Future<Void>> done = new ArrayList<>();
            try {
                for (int session = 0; session < CLIENTS; session++) {
                    int id = session;
                    done.add(sessions.submit(() -> commitSingleRows(table, id, start, rampNanos, rampNanos + windowNanos)));
                }
                LockSupport.parkNanos(start + rampNanos - System.nanoTime());
                double cpuAtWindowStart = Proc.cpuSeconds(service.pid());
                ServerCpu servers = serverCpu();
                for (Future<Void> session : done) {
                    session.get();
                }
                long total = postgres.queryValue(Long.class, "SELECT count(*) FROM " + table);
                try (Admin admin = kafka.admin()) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                    long offsets;
                    while ((offsets = endOffsets(admin, topic)) < total) {
                        checkRunning(service, offsets + " of " + total + " records in " + topic);
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("pgcdc delivered " + offsets + " of " + total + " records 120 s after the load\n"
                                    + service.logTail(40));
                        }
                        Thread.sleep(POLL_MILLIS);
                    }
                }
                double cpu = Proc.cpuSeconds(service.pid()) - cpuAtWindowStart;
                long peakKb = Proc.statusKb(service.pid(), "VmHWM");
                Double postgresCpu = servers.postgresSeconds();
                Double brokerCpu = servers.brokerSeconds();
                Measurement.Latency latency = latencies(topic, windowStartMicros, windowEndMicros, options.latencySeconds());
                report.add(new Measurement("latency", Measurement.PGCDC, run, latency.samples(), options.latencySeconds(), null, cpu,
                        peakKb * 1024 / 1e6, postgresCpu, brokerCpu, latency, load));
            } finally {
                sessions.shutdownNow();
            }
        } finally {
            stop(service);
            postgres.dropReplicationSlotIfExists(slot);
            postgres.execute("DROP PUBLICATION " + publication, "DROP TABLE " + table);
            deleteTopic(topic);
        }
    }

    /**
     * One session: single-row autocommit INSERTs on a fixed schedule, rising linearly to its share of
     * the rate over the ramp. A session that falls more than 100 ms behind its schedule drops the
     * missed commits instead of bursting them (the reached rate is reported).
     */
    private Void commitSingleRows(String table, int session, long start, long rampNanos, long endNanos) throws SQLException {
        double perSession = (double) options.latencyRate() / CLIENTS;
        try (Connection connection = postgres.connect()) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET synchronous_commit = on");
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table
                    + " (session, created_us) VALUES (?, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)")) {
                insert.setInt(1, session);
                long next = start;
                while (true) {
                    long now = System.nanoTime();
                    if (now - start >= endNanos || Thread.currentThread().isInterrupted()) {
                        return null;
                    }
                    if (now < next) {
                        LockSupport.parkNanos(next - now);
                        continue;
                    }
                    insert.executeUpdate();
                    double share = rampNanos == 0 ? 1.0 : Math.min(1.0, Math.max(0.05, (double) (now - start) / rampNanos));
                    next += (long) (1e9 / (perSession * share));
                    if (System.nanoTime() - next > TimeUnit.MILLISECONDS.toNanos(100)) {
                        next = System.nanoTime();
                    }
                }
            }
        }
    }

    /** Reads the whole topic: for the rows committed in the window, log-append time minus the row's commit time. */
    private Measurement.Latency latencies(String topic, long windowStartMicros, long windowEndMicros, long seconds) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAllBytes(topic);
        double[] millis = new double[records.size()];
        int count = 0;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            JsonNode value = json.readTree(record.value());
            long committedMicros = value.path("after").path("created_us").asLong();
            if (committedMicros >= windowStartMicros && committedMicros < windowEndMicros) {
                millis[count++] = (record.timestamp() * 1000 - committedMicros) / 1000.0;
            }
        }
        if (count == 0) {
            throw new IllegalStateException("no record of the measured window in " + topic + " (" + records.size() + " records)");
        }
        double[] sorted = Arrays.copyOf(millis, count);
        Arrays.sort(sorted);
        return new Measurement.Latency(count, (double) count / seconds, percentile(sorted, 0.50), percentile(sorted, 0.99), sorted[count - 1]);
    }

    private static double percentile(double[] sorted, double fraction) {
        return sorted[Math.max(0, (int) Math.ceil(fraction * sorted.length) - 1)];
    }

    private void awaitSlotActive(ChildProcess service, String slot) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Boolean.TRUE.equals(postgres.queryValue(Boolean.class,
                "SELECT coalesce(bool_or(active), false) FROM pg_replication_slots WHERE slot_name = ?", slot))) {
            checkRunning(service, "waiting for it to stream from " + slot);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pgcdc did not start streaming from " + slot + " within 120 s\n" + service.logTail(40));
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    // ---------------------------------------------------------------- servers, topics, processes

    /** A topic of {@code -Dbench.partitions} partitions whose record timestamps are the broker's log-append times. */
    private String createTopic(String name) {
        return kafka.createTopic(name, options.partitions(), Map.of("message.timestamp.type", "LogAppendTime"));
    }

    private void deleteTopic(String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
        }
    }

    private long endOffsets(Admin admin, String topic) throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        for (int partition = 0; partition < options.partitions(); partition++) {
            latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
        }
        return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(ListOffsetsResultInfo::offset).sum();
    }

    private static void checkRunning(ChildProcess service, String progress) {
        if (!service.isAlive()) {
            throw new IllegalStateException("pgcdc exited with " + service.exitCode() + " (" + progress + "); its log "
                    + service.logFile() + ":\n" + service.logTail(40));
        }
    }

    /** SIGTERM, as an orchestrator stops it; killed after 60 s. */
    private static void stop(ChildProcess service) {
        if (!service.stop("TERM", Duration.ofSeconds(60))) {
            System.out.println("bench: " + service + " ignored SIGTERM for 60 s and was killed");
        }
    }

    private ServerCpu serverCpu() {
        return new ServerCpu(postgresPid.isPresent() ? Proc.TreeCpu.of(postgresPid.getAsLong()) : null,
                brokerPid.isPresent() ? Proc.TreeCpu.of(brokerPid.getAsLong()) : null);
    }

    /** The CPU PostgreSQL's and the broker's processes used since it was made; null where they are not visible. */
    private record ServerCpu(Proc.TreeCpu postgres, Proc.TreeCpu broker) {
        Double postgresSeconds() {
            return postgres == null ? null : postgres.secondsSinceStart();
        }

        Double brokerSeconds() {
            return broker == null ? null : broker.secondsSinceStart();
        }
    }

    private static boolean isLocal(String host) {
        try {
            InetAddress address = InetAddress.getByName(host);
            return address.isLoopbackAddress() || address.isAnyLocalAddress() || NetworkInterface.getByInetAddress(address) != null;
        } catch (IOException e) {
            return false;
        }
    }

    private Map<String, Object> conditions() {
        Map<String, Object> conditions = new LinkedHashMap<>();
        conditions.put("date", Instant.now().toString());
        String cpuModel = cpuInfo();
        conditions.put("machine", Runtime.getRuntime().availableProcessors() + " cores (" + cpuModel + "), "
                + memTotal() + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
        conditions.put("loadAverageAtStart", Proc.read("loadavg"));
        conditions.put("postgres", postgres.queryValue(String.class, "SELECT version()") + " at " + postgres.host() + ":" + postgres.port()
                + " (fsync " + postgres.queryValue(String.class, "SHOW fsync") + ", synchronous_commit "
                + postgres.queryValue(String.class, "SHOW synchronous_commit") + ", PID " + (postgresPid.isPresent() ? postgresPid.getAsLong() : "not visible") + ")");
        conditions.put("kafka", kafka.description() + " (PID " + (brokerPid.isPresent() ? brokerPid.getAsLong() : "not visible") + ")");
        conditions.put("pgcdc", distribution.name() + ", bin/pgcdc with " + (options.javaOpts() == null ? "the launcher's JVM flags"
                : "JAVA_OPTS=" + options.javaOpts()) + ", Java " + System.getProperty("java.vm.version"));
        conditions.put("pgRecvlogical", options.recvlogical() == null ? "none" : options.recvlogical());
        conditions.put("commit", commit());
        conditions.put("options", options);
        return conditions;
    }

    /** The checkout's commit, and whether it has uncommitted changes (the distribution is built from the working tree). */
    private static String commit() {
        Path here = Path.of("").toAbsolutePath();
        try {
            String head = ChildProcess.run(List.of(), List.of("git", "rev-parse", "HEAD"), here, Duration.ofSeconds(30)).trim();
            boolean dirty = !ChildProcess.run(List.of(), List.of("git", "status", "--porcelain", "--untracked-files=no"), here,
                    Duration.ofSeconds(30)).isBlank();
            return head + (dirty ? " with uncommitted changes" : "");
        } catch (RuntimeException e) {
            return "unknown (not a git checkout)";
        }
    }

    private static String cpuInfo() {
        return Proc.read("cpuinfo").lines().filter(line -> line.startsWith("model name")).findFirst()
                .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("?");
    }

    private static String memTotal() {
        return Proc.read("meminfo").lines().filter(line -> line.startsWith("MemTotal")).findFirst()
                .map(line -> Long.parseLong(line.replaceAll("\\D", "")) / 1024 / 1024 + " GiB RAM").orElse("? RAM");
    }

    /**
     * The {@code -Dbench.*} settings.
     *
     * @param workloads       of {@link #WORKLOADS}, in this order
     * @param rows            rows of the {@code rows} workload
     * @param rowsTransactionRows rows per transaction (one {@code INSERT}) of the {@code rows} workload
     * @param smallRows       rows of the {@code small} workload (in transactions of 10)
     * @param snapshotRows    rows of the {@code snapshot} workload's table
     * @param snapshotInstances the counts of pgcdc processes sharing the {@code snapshot} workload's job, each measured in turn
     * @param snapshotProduceLimit whether the {@code snapshot} workload measures its Kafka limit, {@link ProduceLimit}
     * @param runs            repetitions of each workload; the table shows medians
     * @param partitions      of each topic
     * @param latencyRate     commits per second of the latency workload, over 4 sessions
     * @param latencySeconds  its measured window
     * @param latencyRampSeconds its ramp before the window
     * @param recvlogical     pg_recvlogical's path, null for none
     * @param distribution    pgcdc-&lt;version&gt;.tar.gz
     * @param directory       where each run writes its configurations, logs and JSON
     * @param javaOpts        JAVA_OPTS for the launcher, null for its defaults
     * @param postgresVersion the test kit's PostgreSQL version spec, null for its default
     * @param fsync           of the bench's own PostgreSQL
     * @param timeoutSeconds  for one contender
     */
    record Options(List<String> workloads, long rows, long rowsTransactionRows, long smallRows, long snapshotRows,
                   List<Integer> snapshotInstances, boolean snapshotProduceLimit, int runs, int partitions, int latencyRate,
                   long latencySeconds, long latencyRampSeconds, String recvlogical, Path distribution, Path directory,
                   String javaOpts, String postgresVersion, String fsync, long timeoutSeconds) {

        static Options fromSystemProperties() {
            List<String> workloads = Arrays.stream(System.getProperty("bench.workloads", "rows,small,latency,snapshot").split(","))
                    .map(String::trim).filter(name -> !name.isEmpty()).toList();
            for (String workload : workloads) {
                if (!WORKLOADS.contains(workload)) {
                    throw new IllegalArgumentException("bench.workloads: unknown workload " + workload + "; known: " + WORKLOADS);
                }
            }
            return new Options(
                    WORKLOADS.stream().filter(workloads::contains).toList(),
                    Long.getLong("bench.rows", 1_000_000),
                    positive("bench.rows.transaction-rows", Long.getLong("bench.rows.transaction-rows", 1_000_000)),
                    Long.getLong("bench.small.rows", 200_000),
                    Long.getLong("bench.snapshot.rows", 10_000_000),
                    snapshotInstances(System.getProperty("bench.snapshot.instances", "1,3")),
                    bool("bench.snapshot.produce-limit", System.getProperty("bench.snapshot.produce-limit", "true")),
                    Integer.getInteger("bench.runs", 3),
                    Integer.getInteger("bench.partitions", 3),
                    Integer.getInteger("bench.latency.rate", 2000),
                    Long.getLong("bench.latency.seconds", 60),
                    Long.getLong("bench.latency.ramp", 10),
                    recvlogical(System.getProperty("bench.recvlogical")),
                    Path.of(System.getProperty("bench.distribution", defaultDistribution())),
                    Path.of(System.getProperty("bench.dir", "target/bench")),
                    blankToNull(System.getProperty("bench.java-opts")),
                    blankToNull(System.getProperty("bench.postgres.version",
                            System.getProperty("pgcdc.it.postgres.version", System.getenv("PGCDC_IT_POSTGRES_VERSION") != null ? null
                                    : Files.isDirectory(Path.of("/usr/lib/postgresql")) ? "system" : null))),
                    System.getProperty("bench.postgres.fsync", "on"),
                    Long.getLong("bench.timeout-seconds", 900));
        }

        /** {@code value}, once it is at least 1. */
        private static long positive(String option, long value) {
            if (value < 1) {
                throw new IllegalArgumentException(option + ": " + value + " is not a positive number");
            }
            return value;
        }

        /** {@code true} or {@code false}. */
        private static boolean bool(String option, String value) {
            if (!value.equals("true") && !value.equals("false")) {
                throw new IllegalArgumentException(option + ": \"" + value + "\" is neither true nor false");
            }
            return Boolean.parseBoolean(value);
        }

        /** {@code 1,3}: each a positive number of processes. */
        private static List<Integer> snapshotInstances(String configured) {
            List<Integer> counts = Arrays.stream(configured.split(",")).map(String::trim).filter(count -> !count.isEmpty())
                    .map(count -> (int) positive("bench.snapshot.instances", processCount(count))).toList();
            if (counts.isEmpty()) {
                throw new IllegalArgumentException("bench.snapshot.instances: no count of processes in \"" + configured + "\"");
            }
            return counts;
        }

        private static int processCount(String count) {
            try {
                return Integer.parseInt(count);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bench.snapshot.instances: \"" + count + "\" is not a number of processes", e);
            }
        }

        /** The given path; else the newest system pg_recvlogical; {@code none} for none. */
        private static String recvlogical(String configured) {
            if (configured != null) {
                if (configured.equals("none")) {
                    return null;
                }
                if (!Files.isExecutable(Path.of(configured))) {
                    throw new IllegalArgumentException("bench.recvlogical: " + configured + " is not an executable file; `none` skips the limits");
                }
                return configured;
            }
            try (var majors = Files.list(Path.of("/usr/lib/postgresql"))) {
                return majors.map(major -> major.resolve("bin/pg_recvlogical")).filter(Files::isExecutable)
                        .max((a, b) -> Integer.compare(majorOf(a), majorOf(b))).map(Path::toString)
                        .orElseThrow(() -> new IllegalArgumentException("no /usr/lib/postgresql/*/bin/pg_recvlogical: set -Dbench.recvlogical"
                                + " to its path, or to none to measure pgcdc alone"));
            } catch (IOException e) {
                throw new IllegalArgumentException("no /usr/lib/postgresql: set -Dbench.recvlogical to pg_recvlogical's path, or to none", e);
            }
        }

        private static int majorOf(Path recvlogical) {
            try {
                return Integer.parseInt(recvlogical.getParent().getParent().getFileName().toString());
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        private static String defaultDistribution() {
            for (String candidate : List.of("cdc-app/target", "../cdc-app/target")) {
                try (var files = Files.list(Path.of(candidate))) {
                    var tarball = files.filter(file -> file.getFileName().toString().matches("pgcdc-.*\\.tar\\.gz")).findFirst();
                    if (tarball.isPresent()) {
                        return tarball.get().toString();
                    }
                } catch (IOException e) {
                    // not there
                }
            }
            return "cdc-app/target/pgcdc-<version>.tar.gz";
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value;
        }
    }
}
