package dev.pgcdc.testkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.testkit.TestNames;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresServerIT {
    private static PostgresServer server;

    @BeforeAll
    static void start() {
        server = PostgresServer.builder().setting("max_replication_slots", "5").start();
    }

    @AfterAll
    static void close() {
        server.close();
    }

    @Test
    void runsWithTheSettingsLogicalReplicationNeeds() {
        assertThat(server.queryValue(String.class, "SHOW wal_level")).isEqualTo("logical");
        assertThat(server.queryValue(String.class, "SHOW max_replication_slots")).isEqualTo("5");
        assertThat(server.queryValue(Boolean.class, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).isTrue();
    }

    @Test
    void keepsCommittedRowsAcrossAKillAndARestart() {
        server.execute("CREATE TABLE IF NOT EXISTS survivors (id int PRIMARY KEY)", "INSERT INTO survivors VALUES (1)");
        long pid = server.pid();

        server.kill();
        assertThat(server.isRunning()).isFalse();
        server.restart();

        assertThat(server.pid()).isNotEqualTo(pid);
        assertThat(server.queryValue(Long.class, "SELECT count(*) FROM survivors")).isEqualTo(1L);
    }

    @Test
    void closingDeletesEverything() {
        PostgresServer other = PostgresServer.builder().start();
        long pid = other.pid();

        other.close();

        assertThat(ProcessHandle.of(pid)).isEmpty();
        assertThat(Files.exists(other.dataDirectory())).isFalse();
    }

    @Test
    void createsDatabasesOfItsOwn() {
        PostgresDatabase database = server.createDatabase(TestNames.unique("db"));

        database.execute("CREATE TABLE t (id int)");

        assertThat(database.queryValue(String.class, "SELECT current_database()")).isEqualTo(database.database());
    }
}
