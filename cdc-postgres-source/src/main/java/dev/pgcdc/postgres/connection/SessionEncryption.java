package dev.pgcdc.postgres.connection;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Whether a session's connection is encrypted, as the server sees it ({@code pg_stat_ssl} of the
 * session's own backend, readable by any user). {@code ssl-mode = prefer} (and {@code allow}) fall
 * back to plaintext without a word from pgjdbc, so the source reports this at start.
 *
 * @param encrypted whether TLS is in use
 * @param protocol  the TLS version, such as {@code TLSv1.3}; null when not encrypted
 * @param cipher    the cipher suite; null when not encrypted
 */
public record SessionEncryption(boolean encrypted, String protocol, String cipher) {

    /** Works on regular connections and on replication connections before streaming starts. */
    public static SessionEncryption of(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            if (!row.next()) {
                return new SessionEncryption(false, null, null);
            }
            boolean ssl = row.getBoolean(1);
            return new SessionEncryption(ssl, ssl ? row.getString(2) : null, ssl ? row.getString(3) : null);
        }
    }

    /** {@code encrypted (TLSv1.3, TLS_AES_256_GCM_SHA384)} or {@code NOT encrypted}, for the start log. */
    public String describe() {
        return encrypted ? "encrypted (" + protocol + ", " + cipher + ")" : "NOT encrypted";
    }
}
