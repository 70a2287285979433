package dev.pgcdc.it.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * A load whose every change can be told apart and ordered: a table {@code (id int primary key,
 * version int)} of {@code keys} rows, written in transactions that each upsert the next
 * {@code rowsPerTransaction} keys (round robin), so a key's first change inserts version 0 and each
 * later one sets the next version. It counts what it committed, so a test can check that a topic
 * holds every version of every key, in order per key. Writes synchronously ({@link #write}) or on a
 * thread of its own ({@link #startWriting}/{@link #stopWriting}), one at a time. Thread-safe.
 */
public final class VersionedRows implements AutoCloseable {

    private final PostgresDatabase postgres;
    private final String table = TestNames.unique("versioned");
    private final int keys;
    private final int rowsPerTransaction;
    private final int[] versions; // versions[id] = last committed version, -1 before the first; guarded by this
    private int nextKey = 1; // guarded by this
    private long changes; // guarded by this
    private volatile boolean stopping;
    private CompletableFuture<Void> writing;

    /** Creates the table; {@code keys} must be a multiple of {@code rowsPerTransaction}. */
    public VersionedRows(PostgresDatabase postgres, int keys, int rowsPerTransaction) {
        if (keys % rowsPerTransaction != 0) {
            throw new IllegalArgumentException(keys + " keys are not a multiple of " + rowsPerTransaction + " rows per transaction");
        }
        this.postgres = postgres;
        this.keys = keys;
        this.rowsPerTransaction = rowsPerTransaction;
        this.versions = new int[keys + 1];
        Arrays.fill(versions, -1);
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, version integer NOT NULL)");
    }

    public String table() {
        return table;
    }

    /** Commits {@code transactions} transactions now; the server's WAL position after the last. */
    public Lsn write(int transactions) {
        try (Connection connection = postgres.connect(); PreparedStatement upsert = connection.prepareStatement(upsertSql())) {
            for (int i = 0; i < transactions; i++) {
                writeOne(upsert);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("writing to " + table + " failed: " + e.getMessage(), e);
        }
        return ReplicationSlot.currentWalLsn(postgres);
    }

    /**
     * Starts committing transactions on a thread of its own, one every {@code pace} at most (a steady
     * load rather than as much as the machine allows), until {@link #stopWriting}.
     */
    public synchronized void startWriting(Duration pace) {
        if (writing != null) {
            throw new IllegalStateException("already writing to " + table);
        }
        stopping = false;
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try (Connection connection = postgres.connect(); PreparedStatement upsert = connection.prepareStatement(upsertSql())) {
                while (!stopping) {
                    long started = System.nanoTime();
                    writeOne(upsert);
                    LockSupport.parkNanos(pace.toNanos() - (System.nanoTime() - started));
                }
                done.complete(null);
            } catch (SQLException | RuntimeException e) {
                done.completeExceptionally(new IllegalStateException("writing to " + table + " failed: " + e.getMessage(), e));
            }
        }, "writer-" + table);
        writer.setDaemon(true);
        writer.start();
        writing = done;
    }

    /** Stops the writing thread (failing if it failed); the server's WAL position after its last commit. */
    public Lsn stopWriting() {
        CompletableFuture<Void> running;
        synchronized (this) {
            running = writing;
            writing = null;
        }
        if (running != null) {
            stopping = true;
            running.join();
        }
        return ReplicationSlot.currentWalLsn(postgres);
    }

    /** Changes committed so far. */
    public synchronized long changes() {
        return changes;
    }

    /**
     * Checks every key's versions as {@code records} hold them (in partition order): every version
     * from 0 to the last committed one, in order; with {@code exactlyOnce}, each once, otherwise a
     * replay may send a run again, but never skips ahead. Returns how many keys got each verdict, so
     * a test asserts a single-entry map.
     */
    public Map<String, Long> verdicts(List<ChangeRecord> records, boolean exactlyOnce) {
        Map<Integer, List<Integer>> versionsByKey = new LinkedHashMap<>();
        for (ChangeRecord record : records) {
            versionsByKey.computeIfAbsent(record.row().get("id").asInt(), id -> new ArrayList<>()).add(record.row().get("version").asInt());
        }
        Map<String, Long> verdicts = new LinkedHashMap<>();
        synchronized (this) {
            for (int id = 1; id <= keys; id++) {
                List<Integer> seen = versionsByKey.getOrDefault(id, List.of());
                String verdict = exactlyOnce ? exactlyOnceVerdict(seen, versions[id]) : atLeastOnceVerdict(seen, versions[id]);
                verdicts.merge(verdict, 1L, Long::sum);
            }
        }
        return verdicts;
    }

    /** Asserts that {@code records} hold every version of every key in order ({@code exactlyOnce}: each once); see {@link #verdicts}. */
    public void assertEveryVersionInOrder(List<ChangeRecord> records, boolean exactlyOnce) {
        assertThat(verdicts(records, exactlyOnce)).as("keys of %s by what their %d records show", table, records.size())
                .isEqualTo(Map.of(allVersionsInOrder(exactlyOnce), (long) keys));
    }

    /** The verdict of every key when all is well. */
    public static String allVersionsInOrder(boolean exactlyOnce) {
        return exactlyOnce ? "every version once, in order" : "every version, in order (replays go back, never skip ahead)";
    }

    private static String exactlyOnceVerdict(List<Integer> seen, int last) {
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i) != i) {
                return describe(seen, last);
            }
        }
        return seen.size() == last + 1 ? allVersionsInOrder(true) : describe(seen, last);
    }

    private static String atLeastOnceVerdict(List<Integer> seen, int last) {
        int highest = -1;
        for (int version : seen) {
            if (version > highest + 1) {
                return describe(seen, last); // a version skipped: lost, or out of order
            }
            highest = Math.max(highest, version);
        }
        return highest == last ? allVersionsInOrder(false) : describe(seen, last);
    }

    private static String describe(List<Integer> seen, int last) {
        String shown = seen.size() <= 30 ? seen.toString()
                : seen.subList(0, 30).stream().map(String::valueOf).collect(Collectors.joining(", ", "[", ", ...]"));
        return "versions " + shown + " for a key whose last version is " + last;
    }

    @Override
    public void close() {
        stopWriting();
    }

    private String upsertSql() {
        return "INSERT INTO " + table + " AS t (id, version) SELECT g, 0 FROM generate_series(?, ?) g"
                + " ON CONFLICT (id) DO UPDATE SET version = t.version + 1";
    }

    private void writeOne(PreparedStatement upsert) throws SQLException {
        int first;
        synchronized (this) {
            first = nextKey;
        }
        int last = first + rowsPerTransaction - 1;
        upsert.setInt(1, first);
        upsert.setInt(2, last);
        upsert.executeUpdate(); // autocommit: one transaction
        synchronized (this) {
            for (int id = first; id <= last; id++) {
                versions[id]++;
            }
            changes += rowsPerTransaction;
            nextKey = last == keys ? 1 : last + 1;
        }
    }
}
