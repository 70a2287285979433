package dev.pgcdc.it.failover;

import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A continuous write load: a thread of its own inserts rows with ids 1, 2, 3 ... into a table, one
 * per transaction, every few milliseconds, until {@link #stop}. Every id up to {@link #stop}'s answer
 * was committed. Thread-safe.
 */
final class SteadyLoad implements AutoCloseable {

    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(4);

    private final PostgresDatabase postgres;
    private final String table;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile int committed;
    private volatile Throwable failure;

    private SteadyLoad(PostgresDatabase postgres, String table) {
        this.postgres = postgres;
        this.table = table;
        this.thread = new Thread(this::run, "it-steady-load-" + table);
        thread.setDaemon(true);
    }

    /** Starts inserting into {@code table (id integer primary key, ...)}. */
    static SteadyLoad start(PostgresDatabase postgres, String table) {
        SteadyLoad load = new SteadyLoad(postgres, table);
        load.thread.start();
        return load;
    }

    /** Rows committed so far (ids 1 to this). */
    int committed() {
        return committed;
    }

    /** Stops the load; the last id committed (every id from 1 to it is in the table). */
    int stop() {
        stopping = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new AssertionError("the write load failed after " + committed + " rows", failure);
        }
        return committed;
    }

    @Override
    public void close() {
        stopping = true;
    }

    private void run() {
        try (Connection connection = postgres.connect();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " (id, note) VALUES (?, ?)")) {
            connection.setAutoCommit(true);
            for (int id = 1; !stopping; id++) {
                insert.setInt(1, id);
                insert.setString(2, "row " + id);
                insert.executeUpdate();
                committed = id;
                LockSupport.parkNanos(PAUSE_NANOS);
            }
        } catch (SQLException | RuntimeException e) {
            failure = e;
        }
    }
}
