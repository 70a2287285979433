package dev.pgcdc.postgres.connection;

import dev.pgcdc.api.source.DatabaseConnections;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * Opens pgjdbc connections to one database (on one server, or on the primary of several): management ones (start-up checks, publication and slot),
 * catalog ones (type and key look-ups, heartbeat writes while streaming) and logical replication ones. The replication session is started with the output settings the
 * value decoders expect ({@code DateStyle ISO}, {@code IntervalStyle postgres},
 * {@code lc_monetary C}, {@code bytea_output hex}, shortest exact floats). Thread-safe. The
 * password is never part of a message. Every connection carries the same credentials: password and,
 * when configured, the client certificate ({@link ClientCertificate}). As {@link DatabaseConnections} it opens the connections of
 * snapshot reads and coordination ({@link #open()}).
 */
public final class ConnectionFactory implements DatabaseConnections {

    private static final Driver DRIVER = new Driver();
    private static final String SESSION_OPTIONS =
            "-c DateStyle=ISO -c IntervalStyle=postgres -c lc_monetary=C -c bytea_output=hex -c extra_float_digits=3";
    /** Every connection: a server that does not answer the TCP handshake within this is reported, not waited for. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Catalog connection: the server cancels a statement after this ({@code statement_timeout}). The
     * look-ups and the heartbeat run on the replication reader's thread, between status updates: with
     * the defaults (status every second, {@code wal_sender_timeout} 60 s) a stuck one delays the next
     * update by at most this, far from the walsender's limit.
     */
    static final Duration CATALOG_STATEMENT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Catalog and replication connections: a read that waits this long for the server fails the call
     * (and the connection is reopened), for the case where the server or the network is gone without
     * a word. Above the statement timeout, so a slow statement ends with the server's own error.
     */
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);

    private final String url;
    private final String description;
    private final Properties base;
    /** The description's parts before and after the kind of server, for {@link #targeting}. */
    private final String[] descriptionParts;

    /**
     * One server.
     *
     * @param sslMode     pgjdbc's sslmode ({@code disable} ... {@code verify-full})
     * @param sslRootCert CA file or null
     */
    public ConnectionFactory(String host, int port, String database, String user, String password, String sslMode, String sslRootCert) {
        this(ServerAddresses.single(host, port), database, user, password, sslMode, sslRootCert);
    }

    /**
     * One server or several: with several, every connection (replication, catalog, management) asks
     * pgjdbc for the one that is primary ({@code targetServerType=primary}); while none is, opening
     * fails with SQLSTATE 08001, which {@link ConnectionFailures#isTransient} counts as transient.
     *
     * @param sslMode     pgjdbc's sslmode ({@code disable} ... {@code verify-full})
     * @param sslRootCert CA file or null
     */
    public ConnectionFactory(ServerAddresses servers, String database, String user, String password, String sslMode, String sslRootCert) {
        this(servers, database, user, password, sslMode, sslRootCert, null);
    }

    /**
     * One server or several, as above, every connection presenting {@code clientCertificate} when it
     * is not null (pgjdbc's {@code sslcert}, {@code sslkey}, {@code sslpassword}).
     */
    public ConnectionFactory(ServerAddresses servers, String database, String user, String password, String sslMode, String sslRootCert,
                             ClientCertificate clientCertificate) {
        this.url = "jdbc:postgresql://" + servers.urlPart() + '/' + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        this.description = "database \"" + database + "\" at " + servers.urlPart() + (servers.several() ? " (the primary)" : "")
                + " as user \"" + user + "\"";
        this.descriptionParts = new String[] {"database \"" + database + "\" at " + servers.urlPart(), " as user \"" + user + "\""};
        this.base = new Properties();
        if (servers.several()) {
            base.setProperty("targetServerType", "primary");
            // how long pgjdbc trusts what it learnt of a host (primary or not); short, so a promotion is noticed at the next attempt
            base.setProperty("hostRecheckSeconds", "2");
        }
        base.setProperty("user", user);
        if (password != null) {
            base.setProperty("password", password);
        }
        base.setProperty("sslmode", sslMode);
        if (sslRootCert != null) {
            base.setProperty("sslrootcert", sslRootCert);
        }
        if (clientCertificate != null) {
            clientCertificate.applyTo(base);
        }
        base.setProperty("ApplicationName", "pgcdc");
        base.setProperty("tcpKeepAlive", "true");
        base.setProperty("connectTimeout", Long.toString(CONNECT_TIMEOUT.toSeconds()));
    }

    private ConnectionFactory(ConnectionFactory original, TargetServerType target) {
        this.url = original.url;
        this.descriptionParts = original.descriptionParts;
        this.description = descriptionParts[0] + target.describe() + descriptionParts[1];
        this.base = original.copy();
        base.remove("hostRecheckSeconds");
        base.setProperty("targetServerType", target.pgjdbcValue());
        if (target != TargetServerType.ANY) {
            base.setProperty("hostRecheckSeconds", "2");
        }
    }

    /**
     * The same servers and credentials, every connection going to a server of {@code target} only
     * ({@code postgres.target-server-type}); pgjdbc checks the kind of a single server too. While none
     * is of that kind, opening fails with SQLSTATE 08001, which {@link ConnectionFailures#isTransient}
     * counts as transient.
     */
    public ConnectionFactory targeting(TargetServerType target) {
        return new ConnectionFactory(this, target);
    }

    /** {@code database "x" at host:port as user "u"}, for messages. */
    @Override
    public String description() {
        return description;
    }

    /**
     * A regular connection in autocommit mode for the start-up checks and the management of the
     * publication and slot. No statement or socket timeout: creating a slot waits for the transactions
     * running at that moment to end, however long they take (the wait is logged by the caller).
     */
    public Connection openRegular() throws SQLException {
        Connection connection = DRIVER.connect(url, copy());
        connection.setAutoCommit(true);
        return connection;
    }

    /**
     * A regular connection in autocommit mode for work while streaming (type and key look-ups,
     * heartbeat writes), every call bounded: {@link #CATALOG_STATEMENT_TIMEOUT} on the server,
     * {@link #SOCKET_TIMEOUT} on the socket.
     */
    public Connection openCatalog() throws SQLException {
        Properties properties = copy();
        properties.setProperty("options", "-c statement_timeout=" + CATALOG_STATEMENT_TIMEOUT.toMillis());
        properties.setProperty("socketTimeout", Long.toString(SOCKET_TIMEOUT.toSeconds()));
        Connection connection = DRIVER.connect(url, properties);
        connection.setAutoCommit(true);
        return connection;
    }

    /**
     * A logical replication connection ({@code replication=database}, simple query protocol). Reads
     * are bounded by {@link #SOCKET_TIMEOUT} before streaming; once streaming, pgjdbc lowers the socket
     * timeout to its own status interval and reads without blocking. Its socket gathers the walsender's
     * messages before reading them ({@link ReplicationSocketFactory}).
     */
    public Connection openReplication() throws SQLException {
        Properties properties = copy();
        properties.setProperty("socketTimeout", Long.toString(SOCKET_TIMEOUT.toSeconds()));
        properties.setProperty("replication", "database");
        properties.setProperty("preferQueryMode", "simple");
        properties.setProperty("assumeMinServerVersion", "10");
        properties.setProperty("options", SESSION_OPTIONS);
        properties.setProperty("ApplicationName", "pgcdc-replication");
        properties.setProperty("socketFactory", ReplicationSocketFactory.class.getName());
        return DRIVER.connect(url, properties);
    }

    /**
     * A regular connection in autocommit mode for snapshot reads and coordination, with the output
     * settings of the replication session and results in text format ({@code binaryTransfer=false}):
     * {@code ResultSet.getString} then returns a value's text exactly as pgoutput sends it, so the
     * source's decoders give snapshot rows the same Java values as streamed rows. No statement or
     * socket timeout: a chunk read may take long.
     */
    @Override
    public Connection open() throws SQLException {
        Properties properties = copy();
        properties.setProperty("options", SESSION_OPTIONS);
        properties.setProperty("binaryTransfer", "false");
        Connection connection = DRIVER.connect(url, properties);
        connection.setAutoCommit(true);
        return connection;
    }

    private Properties copy() {
        Properties properties = new Properties();
        properties.putAll(base);
        return properties;
    }
}
