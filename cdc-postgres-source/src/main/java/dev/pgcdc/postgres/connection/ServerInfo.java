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

    public int major() {
        return versionNum / 10000;
    }
}
