package dev.pgcdc.testkit.postgres;

import dev.pgcdc.testkit.environment.Provisioning;
import dev.pgcdc.testkit.environment.TestEnvironmentException;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * A PostgreSQL the test kit did not start, named by {@code PGCDC_IT_POSTGRES_URL}: a
 * {@code jdbc:postgresql://host:port/database?user=...&password=...} URL of a superuser on a server
 * with {@code wal_level=logical}. Never stopped by the test kit.
 */
record ExternalPostgres(String host, int port, String database, String user, String password) implements PostgresDatabase {

    static ExternalPostgres fromUrl(String url) {
        Properties parsed = Driver.parseURL(url, new Properties());
        if (parsed == null) {
            throw new TestEnvironmentException("PGCDC_IT_POSTGRES_URL is not a jdbc:postgresql:// URL: " + url);
        }
        String user = parsed.getProperty("user");
        if (user == null) {
            throw new TestEnvironmentException("PGCDC_IT_POSTGRES_URL has no user parameter; add ?user=...&password=...");
        }
        return new ExternalPostgres(parsed.getProperty("PGHOST").split(",")[0],
                Integer.parseInt(parsed.getProperty("PGPORT").split(",")[0]),
                parsed.getProperty("PGDBNAME"), user, parsed.getProperty("password", ""));
    }

    @Override
    public String description() {
        return "PostgreSQL " + serverVersion() + " on " + host + ":" + port + "/" + database
                + " (" + Provisioning.EXTERNAL.label() + ")";
    }

    @Override
    public String toString() {
        return "ExternalPostgres[" + host + ":" + port + "/" + database + ", user " + user + "]";
    }
}
