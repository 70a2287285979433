package dev.pgcdc.coordination.snapshot;

import dev.pgcdc.api.source.DatabaseConnections;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** {@link DatabaseConnections} to a test database, as its superuser or as another role. */
record TestConnections(PostgresDatabase db, String user, String password) implements DatabaseConnections {

    static TestConnections superuser(PostgresDatabase db) {
        return new TestConnections(db, db.user(), db.password());
    }

    static TestConnections as(PostgresDatabase db, String role, String password) {
        return new TestConnections(db, role, password);
    }

    @Override
    public Connection open() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        return DriverManager.getConnection(db.jdbcUrl(), properties);
    }

    @Override
    public String description() {
        return "database " + db.database() + " at " + db.host() + ":" + db.port() + " as " + user;
    }
}
