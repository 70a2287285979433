package dev.pgcdc.postgres.connection;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What the source needs to know of the server and session: version, database, user.
 *
 * @param versionNum {@code server_version_num}, e.g. 170002
 * @param version    {@code server_version}, e.g. {@code 17.2}
 * @param database   {@code current_database()}
 * @param user       {@code current_user}
 */
public record ServerInfo(int versionNum, String version, String database, String user) {

    public static ServerInfo read(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT current_setting('server_version_num')::int, current_setting('server_version'), "
                        + "current_database(), current_user")) {
            row.next();
            return new ServerInfo(row.getInt(1), row.getString(2), row.getString(3), row.getString(4));
        }
    }

    /**
     * The server's timeline ({@code IDENTIFY_SYSTEM}, which any replication role may run, unlike
     * {@code pg_control_checkpoint()}): 1 until the cluster is first promoted or restored to a point in time.
     */
    public static long timeline(ConnectionFactory connections) throws SQLException {
        try (Connection replication = connections.openReplication(); Statement statement = replication.createStatement();
             ResultSet row = statement.executeQuery("IDENTIFY_SYSTEM")) {
            if (!row.next()) {
                throw new SQLException("IDENTIFY_SYSTEM returned no row");
            }
            return row.getLong("timeline");
        }
    }

    public int major() {
        return versionNum / 10000;
    }
}
