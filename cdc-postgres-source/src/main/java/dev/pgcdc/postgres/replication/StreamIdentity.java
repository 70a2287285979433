package dev.pgcdc.postgres.replication;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.StreamOrigin;
import dev.pgcdc.postgres.connection.SessionEncryption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What the replication connection learned before streaming: the cluster's identity from
 * {@code IDENTIFY_SYSTEM} (which any replication user may run, unlike {@code pg_control_system()}),
 * and whether the connection is encrypted.
 *
 * @param origin     system identifier, timeline and the server's WAL flush position
 * @param encryption the replication connection's TLS state
 */
public record StreamIdentity(StreamOrigin origin, SessionEncryption encryption) {

    /** Runs {@code IDENTIFY_SYSTEM} and reads {@code pg_stat_ssl} on a replication connection that is not streaming yet. */
    static StreamIdentity read(Connection replication) throws SQLException {
        StreamOrigin origin;
        try (Statement statement = replication.createStatement(); ResultSet row = statement.executeQuery("IDENTIFY_SYSTEM")) {
            if (!row.next()) {
                throw new SQLException("IDENTIFY_SYSTEM returned no row");
            }
            // columns: systemid (text), timeline (int4), xlogpos (text), dbname (text)
            origin = new StreamOrigin(row.getString(1), row.getLong(2), Lsn.parse(row.getString(3)));
        }
        return new StreamIdentity(origin, SessionEncryption.of(replication));
    }
}
