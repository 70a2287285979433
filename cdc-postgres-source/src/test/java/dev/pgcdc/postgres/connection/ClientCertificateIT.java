package dev.pgcdc.postgres.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.postgres.PostgresSourceSettings;
import dev.pgcdc.testkit.postgres.PostgresServer;
import dev.pgcdc.testkit.process.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code postgres.ssl-cert}, {@code ssl-key} and {@code ssl-password} against a real server that
 * authenticates the role by its certificate alone ({@code hostssl ... cert} in {@code pg_hba.conf}):
 * every kind of connection the source opens presents the certificate and gets in, with the key as
 * PKCS-8 DER and as a password-protected PKCS-12 file; without the certificate the server refuses with
 * a message that says so. The CA, the server's and the client's certificates are made with
 * {@code openssl}. A server of its own, since TLS and pg_hba.conf are server-wide.
 */
class ClientCertificateIT {

    private static final String ROLE = "cert_user";
    private static final String P12_PASSWORD = "p12-secret";

    @TempDir
    static Path directory;
    private static PostgresServer server;

    @BeforeAll
    static void startServerThatWantsCertificates() throws IOException {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-subj", "/CN=pgcdc test CA", "-days", "3650");
        signed("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        signed("client", "/CN=" + ROLE, "extendedKeyUsage=clientAuth");
        openssl("pkcs8", "-topk8", "-outform", "DER", "-in", "client.key", "-out", "client.pk8", "-nocrypt");
        // pgjdbc reads the entry named "user"
        openssl("pkcs12", "-export", "-name", "user", "-in", "client.crt", "-inkey", "client.key", "-out", "client.p12",
                "-passout", "pass:" + P12_PASSWORD);
        openssl("pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key", "-out", "unnamed.p12", "-passout", "pass:" + P12_PASSWORD);

        server = PostgresServer.builder().start();
        Path data = server.dataDirectory();
        for (String file : List.of("server.crt", "server.key", "ca.crt")) {
            Path copy = Files.copy(directory.resolve(file), data.resolve(file));
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-------"));
            Files.setOwner(copy, Files.getOwner(data));
        }
        Path hba = data.resolve("pg_hba.conf");
        // first match wins: the role may log in over TLS with its certificate, and in no other way
        Files.writeString(hba, "hostssl all " + ROLE + " 127.0.0.1/32 cert\nhost all " + ROLE + " 127.0.0.1/32 reject\n"
                + Files.readString(hba));
        server.execute("ALTER SYSTEM SET ssl_cert_file = 'server.crt'", "ALTER SYSTEM SET ssl_key_file = 'server.key'",
                "ALTER SYSTEM SET ssl_ca_file = 'ca.crt'", "ALTER SYSTEM SET ssl = on",
                "CREATE ROLE " + ROLE + " LOGIN REPLICATION", "SELECT pg_reload_conf()");
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyConnectionPresentsTheCertificateAndKeyInPkcs8() throws Exception {
        ConnectionFactory connections = settings(Map.of("ssl-mode", "verify-full", "ssl-root-cert", file("ca.crt"),
                "ssl-cert", file("client.crt"), "ssl-key", file("client.pk8"))).connections();

        try (Connection regular = connections.openRegular(); Connection catalog = connections.openCatalog();
             Connection snapshot = connections.open()) {
            for (Connection connection : List.of(regular, catalog, snapshot)) {
                assertThat(query(connection, "SELECT current_user")).isEqualTo(ROLE);
                assertThat(query(connection, "SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).isEqualTo("/CN=" + ROLE);
            }
        }
        try (Connection replication = connections.openReplication()) {
            assertThat(query(replication, "IDENTIFY_SYSTEM")).as("system identifier").isNotBlank();
        }
    }

    @Test
    void aPasswordProtectedPkcs12FileNeedsNoSeparateCertificate() throws Exception {
        Path passwordFile = Files.writeString(directory.resolve("p12-password"), P12_PASSWORD + "\n");
        ConnectionFactory connections = settings(Map.of("ssl-mode", "require", "ssl-key", file("client.p12"),
                "ssl-password-file", passwordFile.toString())).connections();

        try (Connection connection = connections.openRegular()) {
            assertThat(query(connection, "SELECT current_user")).isEqualTo(ROLE);
        }
    }

    @Test
    void aPkcs12FileWithoutTheAliasPgjdbcReadsIsRefusedAtValidation() {
        assertThatThrownBy(() -> settings(Map.of("ssl-mode", "require", "ssl-key", file("unnamed.p12"), "ssl-password", P12_PASSWORD)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("pgcdc.postgres.ssl-key = \"" + file("unnamed.p12") + "\" holds no key under the alias \"user\"")
                .hasMessageContaining("openssl pkcs12 -export -name user");
        assertThatThrownBy(() -> settings(Map.of("ssl-mode", "require", "ssl-key", file("client.p12"), "ssl-password", "wrong")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot be opened as PKCS-12 with the password of ssl-password");
    }

    @Test
    void withoutTheCertificateTheServerRefusesAndSaysWhy() {
        ConnectionFactory connections = settings(Map.of("ssl-mode", "verify-full", "ssl-root-cert", file("ca.crt"))).connections();

        assertThatThrownBy(connections::openRegular).isInstanceOf(SQLException.class)
                .hasMessageContaining("connection requires a valid client certificate");
    }

    private static PostgresSourceSettings settings(Map<String, String> tls) {
        Map<String, Object> postgres = new LinkedHashMap<>(Map.of("host", server.host(), "port", server.port(),
                "database", server.database(), "user", ROLE));
        postgres.putAll(tls);
        return PostgresSourceSettings.from(new PluginConfig("pgcdc", Map.of("postgres", postgres,
                "publication", Map.of("name", "unused_pub", "tables", List.of("public.unused")), "slot", Map.of("name", "unused_slot"))));
    }

    private static String file(String name) {
        return directory.resolve(name).toString();
    }

    private static String query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).as("a row of %s", sql).isTrue();
            return rows.getString(1);
        }
    }

    /** {@code <name>.key} and {@code <name>.crt} signed by the CA, with the extension {@code extension}. */
    private static void signed(String name, String subject, String extension) throws IOException {
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", subject);
        Files.writeString(directory.resolve(name + ".ext"), extension + "\n");
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", name + ".crt",
                "-days", "3650", "-extfile", name + ".ext");
    }

    private static void openssl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        ChildProcess.run(List.of(), command, directory, Duration.ofMinutes(1));
    }
}
