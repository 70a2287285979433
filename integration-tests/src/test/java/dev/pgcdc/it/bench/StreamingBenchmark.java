package dev.pgcdc.it.bench;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.pipeline.Pipeline;
import dev.pgcdc.api.pipeline.PipelineListener;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.kafka.KafkaSink;
import dev.pgcdc.kafka.KafkaSinkSettings;
import dev.pgcdc.kafka.json.JsonChangeHandler;
import dev.pgcdc.kafka.json.JsonHandlerSettings;
import dev.pgcdc.postgres.PostgresSource;
import dev.pgcdc.postgres.PostgresSourceSettings;
import dev.pgcdc.postgres.ReplicaIdentity;
import dev.pgcdc.postgres.TableSettings;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.kafka.TestKafka;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import dev.pgcdc.testkit.postgres.TestPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The streaming benchmark of DESIGN.md's performance budget, run by hand (not by {@code verify}; see
 * this module's README): the seed workload ({@code users(id serial, name text, created_on timestamptz)},
 * REPLICA IDENTITY FULL, rows inserted by {@code INSERT ... SELECT generate_series}) through the real
 * path in this JVM, {@code PostgresSource -> Pipeline -> JsonChangeHandler -> KafkaSink} (3-partition
 * topic), against the test kit's PostgreSQL and Kafka. For comparison, {@code pg_recvlogical} drains
 * the same WAL (pgoutput protocol 1, to /dev/null) from a slot of its own, before pgcdc runs.
 *
 * <p>Each run uses its own table, publication, slots and topic, all created before the inserts, so
 * both consumers drain WAL that is already written, one after the other. The first run is a warm-up
 * (JIT) and is reported but not counted in the medians.
 *
 * <p>Arguments ({@code key=value}): {@code rows} (1000000), {@code transactions} (1: one INSERT of all
 * rows; 10: ten INSERTs of rows/10, each its own transaction), {@code runs} (3 measured runs),
 * {@code warmup-rows} (as rows), {@code recvlogical} (path of pg_recvlogical,
 * {@code /usr/lib/postgresql/15/bin/pg_recvlogical}; {@code none} to skip).
 */
public final class StreamingBenchmark {

    private static final long TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final PostgresDatabase postgres;
    private final KafkaCluster kafka;
    private final int transactions;
    private final String recvlogical;

    private StreamingBenchmark(PostgresDatabase postgres, KafkaCluster kafka, int transactions, String recvlogical) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.transactions = transactions;
        this.recvlogical = recvlogical;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("arguments are key=value (rows, transactions, runs, warmup-rows, recvlogical), got " + arg);
            }
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        int rows = Integer.parseInt(options.getOrDefault("rows", "1000000"));
        int transactions = Integer.parseInt(options.getOrDefault("transactions", "1"));
        int runs = Integer.parseInt(options.getOrDefault("runs", "3"));
        int warmupRows = Integer.parseInt(options.getOrDefault("warmup-rows", Integer.toString(rows)));
        String recvlogical = options.getOrDefault("recvlogical", "/usr/lib/postgresql/15/bin/pg_recvlogical");
        if (!recvlogical.equals("none") && !Files.isExecutable(Path.of(recvlogical))) {
            System.out.println("bench: " + recvlogical + " not found; no pg_recvlogical comparison");
            recvlogical = "none";
        }

        StreamingBenchmark bench = new StreamingBenchmark(TestPostgres.shared(), TestKafka.shared(), transactions, recvlogical);
        System.out.printf(Locale.ROOT, "bench: %d rows in %d transaction(s), %d measured runs after a warm-up of %d rows; JVM %s, %s%n",
                rows, transactions, runs, warmupRows, System.getProperty("java.vm.version"), ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.println("bench: warm-up: " + bench.run(warmupRows));
        List<Result> results = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            Result result = bench.run(rows);
            results.add(result);
            System.out.println("bench: run " + i + ": " + result);
        }
        System.out.printf(Locale.ROOT, "bench: median of %d: pgcdc %.0f rows/s (start to last ack; %.0f rows/s first event to last ack),"
                        + " %.2f CPU s per 1M rows, peak heap %d MB, peak RSS %d MB; pg_recvlogical %.0f rows/s, %.2f CPU s per 1M rows;"
                        + " pgcdc/pg_recvlogical %.2fx%n",
                runs, median(results, Result::startRate), median(results, Result::firstEventRate), median(results, Result::cpuPerMillion),
                (long) median(results, r -> r.peakHeapBytes / 1e6), (long) median(results, r -> r.peakRssKb / 1e3),
                median(results, Result::recvlogicalRate), median(results, Result::recvlogicalCpuPerMillion),
                median(results, r -> r.startRate() / r.recvlogicalRate()));
        System.exit(0); // the test kit's servers stop with the JVM
    }

    private Result run(int rows) throws Exception {
        String table = TestNames.unique("users");
        String publication = table + "_pub";
        String slot = table + "_pgcdc";
        String recvSlot = table + "_recv";
        postgres.execute(
                "CREATE TABLE " + table + " (id serial PRIMARY KEY, name text, created_on timestamptz)",
                "ALTER TABLE " + table + " REPLICA IDENTITY FULL",
                "CREATE PUBLICATION " + publication + " FOR TABLE " + table,
                "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')",
                "SELECT pg_create_logical_replication_slot('" + recvSlot + "', 'pgoutput')");
        String topic = kafka.createTopic(TestNames.unique("users"), 3);
        Result result = new Result(rows);
        try {
            long insertStarted = System.nanoTime();
            for (int t = 0; t < transactions; t++) {
                postgres.execute("INSERT INTO " + table + "(name, created_on) SELECT 'user-'||g, now() FROM generate_series(1, "
                        + rows / transactions + ") g");
            }
            result.insertNanos = System.nanoTime() - insertStarted;
            String endLsn = postgres.queryValue(String.class, "SELECT pg_current_wal_lsn()::text");
            result.load = load();
            if (recvlogical.equals("none")) {
                postgres.execute("SELECT pg_drop_replication_slot('" + recvSlot + "')");
            } else {
                drainWithRecvlogical(recvSlot, publication, endLsn, result);
            }
            runPgcdc(table, publication, slot, topic, rows, result);
        } finally {
            postgres.dropReplicationSlotIfExists(slot);
            postgres.dropReplicationSlotIfExists(recvSlot);
            postgres.execute("DROP PUBLICATION " + publication, "DROP TABLE " + table);
            kafka.admin().deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
        }
        return result;
    }

    /** pg_recvlogical from its own slot up to {@code endLsn}, to /dev/null; its time, CPU and RSS from /usr/bin/time. */
    private void drainWithRecvlogical(String slot, String publication, String endLsn, Result result) throws IOException, InterruptedException {
        Path times = Files.createTempFile("pg_recvlogical", ".time");
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/time"))) {
            command.addAll(List.of("/usr/bin/time", "-o", times.toString(), "-f", "%U %S %M"));
        }
        command.addAll(List.of(recvlogical, "-d", "host=" + postgres.host() + " port=" + postgres.port() + " user=" + postgres.user()
                        + " dbname=" + postgres.database(), "--slot=" + slot, "--plugin=pgoutput", "-o", "proto_version=1",
                "-o", "publication_names=" + publication, "--start", "-E", endLsn, "--no-loop", "-f", "/dev/null"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("PGPASSWORD", postgres.password());
        long started = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("pg_recvlogical did not reach " + endLsn + " in time");
        }
        result.recvlogicalNanos = System.nanoTime() - started;
        if (process.exitValue() != 0) {
            throw new IllegalStateException("pg_recvlogical exited with " + process.exitValue() + ": " + String.join(" ", command));
        }
        String[] cpu = Files.readString(times, StandardCharsets.US_ASCII).trim().split("\\s+");
        Files.delete(times);
        if (cpu.length == 3) {
            result.recvlogicalCpuNanos = (long) ((Double.parseDouble(cpu[0]) + Double.parseDouble(cpu[1])) * 1e9);
            result.recvlogicalRssKb = Long.parseLong(cpu[2]);
        }
    }

    private void runPgcdc(String table, String publication, String slot, String topic, int rows, Result result) throws Exception {
        PostgresSource source = new PostgresSource(PostgresSourceSettings.builder()
                .host(postgres.host()).port(postgres.port()).database(postgres.database())
                .user(postgres.user()).password(postgres.password())
                .publicationName(publication)
                .tables(List.of(TableSettings.of(new TableId("public", table), ReplicaIdentity.FULL)))
                .slotName(slot)
                .build());
        KafkaSink sink = new KafkaSink(KafkaSinkSettings.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .mapTable("public." + table, topic)
                .build());
        JsonChangeHandler handler = new JsonChangeHandler(JsonHandlerSettings.defaults());
        Progress progress = new Progress(rows);
        Pipeline pipeline = new Pipeline("bench", source, handler, sink, PipelineSettings.defaults(), progress);

        System.gc();
        resetPeakRss();
        MemorySampler sampler = new MemorySampler();
        sampler.start();
        long cpuBefore = processCpuNanos();
        long started = System.nanoTime();
        pipeline.start();
        try {
            while (progress.durable.get() < rows) {
                if (pipeline.isTerminated()) {
                    throw new IllegalStateException("the pipeline ended early", pipeline.failure().orElse(null));
                }
                if (System.nanoTime() - started > TIMEOUT_NANOS) {
                    throw new IllegalStateException("pgcdc acknowledged only " + progress.durable.get() + " of " + rows + " rows in time");
                }
                Thread.sleep(5);
            }
            result.cpuNanos = processCpuNanos() - cpuBefore;
            result.startNanos = progress.lastDurableNanos - started;
            result.firstEventNanos = progress.lastDurableNanos - progress.firstHandledNanos;
        } finally {
            sampler.interrupt();
            sampler.join();
            pipeline.stop();
        }
        result.peakHeapBytes = sampler.peakHeapBytes;
        result.peakRssKb = Math.max(sampler.peakRssKb, procStatusKb("VmHWM"));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Resets VmHWM (Linux: "5" to clear_refs), so it covers the measured run only; ignored where refused. */
    private static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // the sampler's maximum still holds
        }
    }

    /** A field of /proc/self/status in kB, 0 when there is none. */
    static long procStatusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return 0;
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static double median(List<Result> results, java.util.function.ToDoubleFunction<Result> metric) {
        double[] values = results.stream().mapToDouble(metric).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        return values.length % 2 == 1 ? values[values.length / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    /** Counts durable events; the time of the first handled and the last durable one. */
    private static final class Progress implements PipelineListener {
        private final int rows;
        final AtomicLong durable = new AtomicLong();
        volatile long firstHandledNanos;
        volatile long lastDurableNanos;
        private boolean handled; // pipeline thread only

        Progress(int rows) {
            this.rows = rows;
        }

        @Override
        public void onHandled(ChangeEvent event, int records, long handlerNanos) {
            if (!handled) {
                handled = true;
                firstHandledNanos = System.nanoTime();
            }
        }

        @Override
        public void onDurable(ChangeEvent event, int records, long writeNanos) {
            if (durable.incrementAndGet() == rows) {
                lastDurableNanos = System.nanoTime();
            }
        }
    }

    /** Samples heap used and VmRSS every 20 ms. */
    private static final class MemorySampler extends Thread {
        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        volatile long peakHeapBytes;
        volatile long peakRssKb;

        MemorySampler() {
            super("bench-memory-sampler");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!isInterrupted()) {
                peakHeapBytes = Math.max(peakHeapBytes, memory.getHeapMemoryUsage().getUsed());
                peakRssKb = Math.max(peakRssKb, procStatusKb("VmRSS"));
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static final class Result {
        final int rows;
        long insertNanos;
        String load;
        long startNanos;
        long firstEventNanos;
        long cpuNanos;
        long peakHeapBytes;
        long peakRssKb;
        long recvlogicalNanos;
        long recvlogicalCpuNanos;
        long recvlogicalRssKb;

        Result(int rows) {
            this.rows = rows;
        }

        double startRate() {
            return rows / (startNanos / 1e9);
        }

        double firstEventRate() {
            return rows / (firstEventNanos / 1e9);
        }

        double cpuPerMillion() {
            return cpuNanos / 1e9 * 1_000_000 / rows;
        }

        double recvlogicalRate() {
            return recvlogicalNanos == 0 ? Double.NaN : rows / (recvlogicalNanos / 1e9);
        }

        double recvlogicalCpuPerMillion() {
            return recvlogicalNanos == 0 ? Double.NaN : recvlogicalCpuNanos / 1e9 * 1_000_000 / rows;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d rows (insert %.1f s, load %s): pgcdc %.2f s from start to last ack = %.0f rows/s"
                            + " (%.2f s, %.0f rows/s from first event), %.2f CPU s per 1M rows, peak heap %d MB, peak RSS %d MB"
                            + " | pg_recvlogical %.2f s = %.0f rows/s, %.2f CPU s per 1M rows, max RSS %d MB | ratio %.2fx",
                    rows, insertNanos / 1e9, load, startNanos / 1e9, startRate(), firstEventNanos / 1e9, firstEventRate(), cpuPerMillion(),
                    peakHeapBytes / 1_000_000, peakRssKb / 1000, recvlogicalNanos / 1e9, recvlogicalRate(), recvlogicalCpuPerMillion(),
                    recvlogicalRssKb / 1000, startRate() / recvlogicalRate());
        }
    }
}
