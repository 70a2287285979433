package dev.pgcdc.testkit.postgres;

import dev.pgcdc.testkit.environment.TestEnvironmentException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL database a test can use: where it is, how to log in (as a superuser), and shortcuts
 * for the SQL a test runs to set up and check its own tables, publications and slots. Obtained
 * from {@link TestPostgres#shared()}, a {@link PostgresServer}, or {@link #createDatabase}.
 *
 * <p>Every shortcut opens its own connection in autocommit mode and closes it, so they are
 * thread-safe and never leave a transaction open; SQL errors come back as
 * {@link TestEnvironmentException} naming the statement.
 */
public interface PostgresDatabase {

    String host();

    int port();

    String database();

    String user();

    String password();

    /** One line for logs: version, address and where the server comes from. */
    String description();

    /** {@code jdbc:postgresql://host:port/database}, without credentials. */
    default String jdbcUrl() {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database();
    }

    /** {@code user} and {@code password}, for {@link DriverManager#getConnection(String, Properties)}. */
    default Properties connectionProperties() {
        Properties properties = new Properties();
        properties.setProperty("user", user());
        properties.setProperty("password", password());
        return properties;
    }

    /** A new connection; the caller closes it. */
    default Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), connectionProperties());
    }

    /**
     * A new logical replication connection ({@code replication=database}, simple query mode), as
     * pgjdbc's {@code PGReplicationStream} needs; the caller closes it.
     */
    default Connection connectForReplication() throws SQLException {
        Properties properties = connectionProperties();
        properties.setProperty("replication", "database");
        properties.setProperty("preferQueryMode", "simple");
        properties.setProperty("assumeMinServerVersion", "10");
        return DriverManager.getConnection(jdbcUrl(), properties);
    }

    /** Runs each statement in turn, each in its own transaction. */
    default void execute(String... statements) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                try {
                    statement.execute(sql);
                } catch (SQLException e) {
                    throw new TestEnvironmentException("SQL failed on " + database() + ": " + sql + ": " + e.getMessage(), e);
                }
            }
        } catch (SQLException e) {
            throw new TestEnvironmentException("cannot connect to " + jdbcUrl() + ": " + e.getMessage(), e);
        }
    }

    /** The rows of a query ({@code ?} parameters bound in order), each a map from column label to value, in column order. */
    default List<Map<String, Object>> query(String sql, Object... parameters) {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                ResultSetMetaData meta = rows.getMetaData();
                List<Map<String, Object>> result = new ArrayList<>();
                while (rows.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int column = 1; column <= meta.getColumnCount(); column++) {
                        row.put(meta.getColumnLabel(column), rows.getObject(column));
                    }
                    result.add(row);
                }
                return result;
            }
        } catch (SQLException e) {
            throw new TestEnvironmentException("SQL failed on " + database() + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * The single value of a query that returns one row of one column, converted to {@code type}
     * (as {@link ResultSet#getObject(int, Class)} does); {@code null} for SQL NULL. Fails when the
     * query returns no row or more than one.
     */
    default <T> T queryValue(Class<T> type, String sql, Object... parameters) {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new TestEnvironmentException("no row from: " + sql);
                }
                T value = rows.getObject(1, type);
                if (rows.next()) {
                    throw new TestEnvironmentException("more than one row from: " + sql);
                }
                return value;
            }
        } catch (SQLException e) {
            throw new TestEnvironmentException("SQL failed on " + database() + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /** {@code SHOW server_version}, such as {@code 17.11}. */
    default String serverVersion() {
        return queryValue(String.class, "SHOW server_version");
    }

    /** The major version, such as {@code 17}. */
    default int serverMajorVersion() {
        return queryValue(Integer.class, "SELECT current_setting('server_version_num')::int / 10000");
    }

    /**
     * Drops a replication slot if it exists, first ending the walsender that holds it if any (a slot
     * in use cannot be dropped). Slots outlive tests and hold WAL back, so tests that make one drop it.
     */
    default void dropReplicationSlotIfExists(String slot) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            query("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                    + " WHERE slot_name = ? AND active_pid IS NOT NULL", slot);
            try {
                query("SELECT pg_drop_replication_slot(slot_name)::text FROM pg_replication_slots WHERE slot_name = ?", slot);
                return;
            } catch (TestEnvironmentException e) {
                // 55006: the terminated walsender has not released the slot yet
                boolean inUse = e.getCause() instanceof SQLException sql && "55006".equals(sql.getSQLState());
                if (!inUse || System.nanoTime() > deadline) {
                    throw e;
                }
                pause();
            }
        }
    }

    /**
     * Creates a new empty database on the same server and returns it, for a test that needs a whole
     * database of its own (publications {@code FOR ALL TABLES}, schema changes). {@code name} must
     * be a valid unquoted identifier, such as one from {@code TestNames.unique}.
     */
    default PostgresDatabase createDatabase(String name) {
        execute("CREATE DATABASE " + name);
        return new DatabaseOnServer(this, name);
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestEnvironmentException("interrupted", e);
        }
    }
}
