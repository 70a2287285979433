package dev.pgcdc.it.security;

import dev.pgcdc.testkit.postgres.PostgresDatabase;

/**
 * The database {@code on}, logged in as another role: what a {@code ServiceConfig} built from it
 * gives the service as {@code postgres.user} and {@code postgres.password}. Immutable.
 *
 * @param on       the database, and the server's own login (not used)
 * @param user     the role to log in as
 * @param password its password
 */
record RoleLogin(PostgresDatabase on, String user, String password) implements PostgresDatabase {

    @Override
    public String host() {
        return on.host();
    }

    @Override
    public int port() {
        return on.port();
    }

    @Override
    public String database() {
        return on.database();
    }

    @Override
    public String description() {
        return "role " + user + " on " + on.description();
    }
}
