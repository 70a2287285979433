package dev.pgcdc.postgres.connection;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * Opens pgjdbc connections to one database: regular ones (catalog queries, management, heartbeat)
 * and logical replication ones. The replication session is started with the output settings the
 * value decoders expect ({@code DateStyle ISO}, {@code IntervalStyle postgres},
 * {@code lc_monetary C}, {@code bytea_output hex}, shortest exact floats). Thread-safe. The
 * password is never part of a message.
 */
public final class ConnectionFactory {

    private static final Driver DRIVER = new Driver();
    private static final String SESSION_OPTIONS =
            "-c DateStyle=ISO -c IntervalStyle=postgres -c lc_monetary=C -c bytea_output=hex -c extra_float_digits=3";

    private final String url;
    private final String description;
    private final Properties base;

    /**
     * @param sslMode     pgjdbc's sslmode ({@code disable} ... {@code verify-full})
     * @param sslRootCert CA file or null
     */
    public ConnectionFactory(String host, int port, String database, String user, String password, String sslMode, String sslRootCert) {
        String hostPart = host.indexOf(':') >= 0 && !host.startsWith("[") ? '[' + host + ']' : host;
        this.url = "jdbc:postgresql://" + hostPart + ':' + port + '/' + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        this.description = "database \"" + database + "\" at " + host + ':' + port + " as user \"" + user + "\"";
        this.base = new Properties();
        base.setProperty("user", user);
        if (password != null) {
            base.setProperty("password", password);
        }
        base.setProperty("sslmode", sslMode);
        if (sslRootCert != null) {
            base.setProperty("sslrootcert", sslRootCert);
        }
        base.setProperty("ApplicationName", "pgcdc");
        base.setProperty("tcpKeepAlive", "true");
        base.setProperty("connectTimeout", "10");
    }

    /** {@code database "x" at host:port as user "u"}, for messages. */
    public String description() {
        return description;
    }

    /** A regular connection in autocommit mode. */
    public Connection openRegular() throws SQLException {
        Connection connection = DRIVER.connect(url, copy());
        connection.setAutoCommit(true);
        return connection;
    }

    /** A logical replication connection ({@code replication=database}, simple query protocol). */
    public Connection openReplication() throws SQLException {
        Properties properties = copy();
        properties.setProperty("replication", "database");
        properties.setProperty("preferQueryMode", "simple");
        properties.setProperty("assumeMinServerVersion", "10");
        properties.setProperty("options", SESSION_OPTIONS);
        properties.setProperty("ApplicationName", "pgcdc-replication");
        return DRIVER.connect(url, properties);
    }

    private Properties copy() {
        Properties properties = new Properties();
        properties.putAll(base);
        return properties;
    }
}
