package dev.pgcdc.testkit.postgres;

/** Another database on the server of {@code server}, made by {@link PostgresDatabase#createDatabase}. */
record DatabaseOnServer(PostgresDatabase server, String database) implements PostgresDatabase {

    @Override
    public String host() {
        return server.host();
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public String user() {
        return server.user();
    }

    @Override
    public String password() {
        return server.password();
    }

    @Override
    public String description() {
        return "database " + database + " of " + server.description();
    }
}
