package dev.pgcdc.it.bench;

import java.util.Locale;

/**
 * One contender's result in one run of one workload. {@code null} means not measured here (no
 * first record for pg_recvlogical, no server PID visible, no latency outside the latency workload).
 *
 * @param workload          {@code rows}, {@code small}, {@code latency}, {@code snapshot}
 * @param contender         {@code pg_recvlogical proto 1}, {@code pg_recvlogical proto 2 streaming}, {@code pgcdc},
 *                          {@code pgcdc, 3 instances} (the snapshot by several processes), {@code COPY to nothing (JDBC)}
 *                          and {@code Kafka producer alone} (the snapshot's limits: PostgreSQL's, the broker's)
 * @param run               1-based
 * @param rows              rows the contender had to deliver
 * @param elapsedSeconds    from the contender's start to its stop condition (for the latency workload: the measured window)
 * @param firstRecordSeconds from pgcdc's (or the producer limit's) start to its first record in the topic
 * @param cpuSeconds        user + system of the contender's process (and its children), summed over the processes of
 *                          several snapshot instances; for the COPY limit, of the bench's thread that reads it; for the
 *                          producer limit, of its JVM
 * @param peakRssMb         the contender's peak resident set (VmHWM), the largest of any one process of several snapshot
 *                          instances, MB of 10^6 bytes; null for the COPY limit (it runs in the bench's JVM)
 * @param postgresCpuSeconds CPU of PostgreSQL's processes meanwhile
 * @param brokerCpuSeconds  CPU of the broker's process meanwhile
 * @param latency           commit to broker log-append, for the latency workload
 * @param load              {@code /proc/loadavg} when the contender started
 */
record Measurement(String workload, String contender, int run, long rows, double elapsedSeconds, Double firstRecordSeconds,
                   double cpuSeconds, Double peakRssMb, Double postgresCpuSeconds, Double brokerCpuSeconds, Latency latency,
                   String load) {

    static final String RECVLOGICAL_1 = "pg_recvlogical proto 1";
    static final String RECVLOGICAL_2 = "pg_recvlogical proto 2 streaming";
    static final String PGCDC = "pgcdc";
    static final String COPY = "COPY to nothing (JDBC)";
    static final String PRODUCE = "Kafka producer alone";

    /** {@link #PGCDC} for one process, else {@code pgcdc, <instances> instances}. */
    static String pgcdcInstances(int instances) {
        return instances == 1 ? PGCDC : PGCDC + ", " + instances + " instances";
    }

    double rowsPerSecond() {
        return rows / elapsedSeconds;
    }

    double cpuSecondsPerMillionRows() {
        return cpuSeconds * 1_000_000 / rows;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s run %d, %s: %d rows in %.2f s = %.0f rows/s%s; CPU %.2f s (%.2f s per 1M rows),"
                        + " peak RSS %s MB; PostgreSQL CPU %s s, broker CPU %s s%s; load %s",
                workload, run, contender, rows, elapsedSeconds, rowsPerSecond(),
                firstRecordSeconds == null ? "" : String.format(Locale.ROOT, " (first record after %.2f s)", firstRecordSeconds),
                cpuSeconds, cpuSecondsPerMillionRows(), peakRssMb == null ? "n/a" : String.format(Locale.ROOT, "%.0f", peakRssMb),
                format(postgresCpuSeconds), format(brokerCpuSeconds),
                latency == null ? "" : "; " + latency, load);
    }

    static String format(Double value) {
        return value == null ? "n/a" : String.format(Locale.ROOT, "%.2f", value);
    }

    /**
     * Commit to broker log-append time over the measured rows, in milliseconds.
     *
     * @param samples rows measured
     * @param commitsPerSecond the rate the sessions reached in the measured window
     */
    record Latency(long samples, double commitsPerSecond, double p50Millis, double p99Millis, double maxMillis) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "latency over %d rows at %.0f commits/s: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                    samples, commitsPerSecond, p50Millis, p99Millis, maxMillis);
        }
    }
}
