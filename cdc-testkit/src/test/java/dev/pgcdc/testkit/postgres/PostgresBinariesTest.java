package dev.pgcdc.testkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.testkit.environment.PinnedVersions;
import dev.pgcdc.testkit.environment.TestEnvironmentException;
import org.junit.jupiter.api.Test;

class PostgresBinariesTest {

    @Test
    void resolvesEachSupportedMajorToItsPinnedVersion() {
        assertThat(PostgresBinaries.fullVersion("14")).isEqualTo("14.24.0");
        assertThat(PostgresBinaries.fullVersion("15")).isEqualTo("15.19.0");
        assertThat(PostgresBinaries.fullVersion("16")).isEqualTo("16.15.0");
        assertThat(PostgresBinaries.fullVersion("17")).isEqualTo(PinnedVersions.defaultPostgresBinaries());
        assertThat(PostgresBinaries.fullVersion("18")).isEqualTo("18.6.0");
    }

    @Test
    void keepsAFullVersionAsItIs() {
        assertThat(PostgresBinaries.fullVersion("16.4.0")).isEqualTo("16.4.0");
    }

    @Test
    void rejectsAnUnknownMajorNamingTheChoices() {
        assertThatThrownBy(() -> PostgresBinaries.fullVersion("9"))
                .isInstanceOf(TestEnvironmentException.class)
                .hasMessageContaining("unknown PostgreSQL version \"9\"")
                .hasMessageContaining("14.24.0");
    }
}
