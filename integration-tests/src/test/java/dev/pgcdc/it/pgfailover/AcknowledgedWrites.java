package dev.pgcdc.it.pgfailover;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A write load the way an application with a multi-host connection string writes through a failover:
 * a thread of its own inserts rows with ids 1, 2, 3 ... into a table, one per autocommit transaction,
 * connected with pgjdbc's {@code targetServerType=primary} to whichever of the servers is primary. When
 * the connection breaks it reconnects (every 100 ms) and goes on with the next id: the id whose commit
 * was in doubt is never reused. {@link #acknowledged()} holds exactly the ids whose commit the server
 * acknowledged, and with when; {@link #reconnectedAt()} when the first commit after a lost connection
 * was acknowledged. Thread-safe.
 */
final class AcknowledgedWrites implements AutoCloseable {

    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(3);

    private final String url;
    private final Properties properties;
    private final String table;
    private final Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong reconnectedAt = new AtomicLong();
    private final Thread thread;
    private volatile int firstAfterReconnect;
    private volatile boolean stopping;

    private AcknowledgedWrites(List<String> hosts, String database, String user, String password, String table) {
        this.url = "jdbc:postgresql://" + String.join(",", hosts) + "/" + database;
        this.properties = new Properties();
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("targetServerType", "primary");
        properties.setProperty("hostRecheckSeconds", "1");
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "10");
        this.table = table;
        this.thread = new Thread(this::run, "it-acknowledged-writes-" + table);
        thread.setDaemon(true);
    }

    /** Starts inserting into {@code table (id integer primary key, note text)} on the primary among {@code hosts} ({@code host:port}). */
    static AcknowledgedWrites start(List<String> hosts, String database, String user, String password, String table) {
        AcknowledgedWrites writes = new AcknowledgedWrites(hosts, database, user, password, table);
        writes.thread.start();
        return writes;
    }

    /** The ids whose commit was acknowledged so far. */
    Set<Integer> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    /** {@link System#nanoTime()} of the first acknowledged commit after a lost connection; 0 while there is none. */
    long reconnectedAt() {
        return reconnectedAt.get();
    }

    /** The id of that commit; 0 while there is none. */
    int firstAfterReconnect() {
        return firstAfterReconnect;
    }

    /** Stops writing and waits for the thread; the ids acknowledged. */
    Set<Integer> stop() {
        stopping = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return acknowledged();
    }

    @Override
    public void close() {
        stop();
    }

    private void run() {
        int id = 1;
        boolean lostConnection = false;
        while (!stopping) {
            try (Connection connection = DriverManager.getConnection(url, properties);
                 PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " (id, note) VALUES (?, ?)")) {
                connection.setAutoCommit(true);
                while (!stopping) {
                    insert.setInt(1, id);
                    insert.setString(2, "row " + id);
                    int written = id++; // an id whose commit fails is in doubt: never written again
                    insert.executeUpdate();
                    acknowledged.add(written);
                    if (lostConnection && reconnectedAt.compareAndSet(0, System.nanoTime())) {
                        firstAfterReconnect = written;
                    }
                    LockSupport.parkNanos(PAUSE_NANOS);
                }
            } catch (SQLException e) {
                lostConnection = true;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }
}
