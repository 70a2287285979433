package dev.pgcdc.it.failover;

import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Samples, every 20 ms on a thread of its own, which pgcdc walsenders stream ({@code pg_stat_replication},
 * state {@code streaming} or {@code catchup}, {@code application_name} {@code pgcdc <host>-<pid>}) and which
 * one holds the slot ({@code pg_replication_slots.active_pid}), so a test can check that at most one instance
 * streams at any time and how long the slot went without one. Thread-safe.
 */
final class WalsenderSampler implements AutoCloseable {

    private static final String QUERY = "SELECT (SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?) AS holder, "
            + "(SELECT string_agg(application_name, ',') FROM pg_stat_replication WHERE application_name LIKE 'pgcdc %' "
            + "  AND state IN ('streaming', 'catchup')) AS streaming";

    /**
     * One sample.
     *
     * @param nanos     when (System.nanoTime)
     * @param holderPid the walsender holding the slot, 0 when none
     * @param streaming the application names of the pgcdc walsenders streaming
     */
    record Sample(long nanos, int holderPid, List<String> streaming) {
    }

    private final PostgresDatabase postgres;
    private final String slot;
    private final Thread thread;
    private final List<Sample> samples = new ArrayList<>(); // guarded by itself
    private volatile boolean stopping;
    private volatile Throwable failure;

    WalsenderSampler(PostgresDatabase postgres, String slot) {
        this.postgres = postgres;
        this.slot = slot;
        this.thread = new Thread(this::run, "it-walsender-sampler-" + slot);
        thread.setDaemon(true);
        thread.start();
    }

    /** The samples so far. */
    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** The walsender holding the slot now (the latest sample), 0 when none. */
    int holderPid() {
        synchronized (samples) {
            return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).holderPid();
        }
    }

    /** The most pgcdc walsenders seen streaming at once, in samples taken at or after {@code fromNanos}. */
    int maxStreamingAtOnce(long fromNanos) {
        return samples().stream().filter(s -> s.nanos() >= fromNanos).mapToInt(s -> s.streaming().size()).max().orElse(0);
    }

    /**
     * The longest run of samples, between {@code fromNanos} and {@code toNanos}, in which no walsender
     * held the slot: from the first such sample to the next sample with a holder, in milliseconds.
     */
    long longestGapMillis(long fromNanos, long toNanos) {
        long longest = 0;
        long gapStart = -1;
        for (Sample sample : samples()) {
            if (sample.nanos() < fromNanos || sample.nanos() > toNanos) {
                continue;
            }
            if (sample.holderPid() == 0 && gapStart < 0) {
                gapStart = sample.nanos();
            } else if (sample.holderPid() != 0 && gapStart >= 0) {
                longest = Math.max(longest, sample.nanos() - gapStart);
                gapStart = -1;
            }
        }
        return TimeUnit.NANOSECONDS.toMillis(longest);
    }

    /** When the first sample at or after {@code fromNanos} showed no holder; -1 if none did. */
    long firstFreeAfter(long fromNanos) {
        return samples().stream().filter(s -> s.nanos() >= fromNanos && s.holderPid() == 0).mapToLong(Sample::nanos).findFirst().orElse(-1);
    }

    /** When the first sample at or after {@code fromNanos} showed a holder other than {@code oldPid}; -1 if none did. */
    long firstHeldByAnotherAfter(long fromNanos, int oldPid) {
        return samples().stream().filter(s -> s.nanos() >= fromNanos && s.holderPid() != 0 && s.holderPid() != oldPid)
                .mapToLong(Sample::nanos).findFirst().orElse(-1);
    }

    @Override
    public void close() {
        stopping = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new AssertionError("sampling the walsenders failed", failure);
        }
    }

    private void run() {
        try (Connection connection = postgres.connect(); PreparedStatement query = connection.prepareStatement(QUERY)) {
            query.setString(1, slot);
            while (!stopping) {
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    String streaming = row.getString("streaming");
                    Sample sample = new Sample(System.nanoTime(), row.getInt("holder"),
                            streaming == null ? List.of() : List.of(streaming.split(",")));
                    synchronized (samples) {
                        samples.add(sample);
                    }
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        } catch (SQLException | RuntimeException e) {
            failure = e;
        }
    }
}
