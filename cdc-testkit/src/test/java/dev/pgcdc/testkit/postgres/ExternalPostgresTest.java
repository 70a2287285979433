package dev.pgcdc.testkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.testkit.environment.TestEnvironmentException;
import org.junit.jupiter.api.Test;

class ExternalPostgresTest {

    @Test
    void readsAddressAndCredentialsFromTheUrl() {
        ExternalPostgres postgres = ExternalPostgres.fromUrl("jdbc:postgresql://db.example:6543/cdc?user=admin&password=s3cret");

        assertThat(postgres).isEqualTo(new ExternalPostgres("db.example", 6543, "cdc", "admin", "s3cret"));
        assertThat(postgres.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/cdc");
        assertThat(postgres.toString()).doesNotContain("s3cret");
    }

    @Test
    void requiresAUser() {
        assertThatThrownBy(() -> ExternalPostgres.fromUrl("jdbc:postgresql://localhost/cdc"))
                .isInstanceOf(TestEnvironmentException.class)
                .hasMessageContaining("no user parameter");
    }
}
