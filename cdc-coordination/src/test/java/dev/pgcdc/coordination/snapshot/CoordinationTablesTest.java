package dev.pgcdc.coordination.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CoordinationTablesTest {

    @Test
    void quotesEveryPartAndDoublesQuotesInside() {
        CoordinationTables tables = new CoordinationTables("My \"Coord\" Schema.v1");
        assertThat(tables.quotedSchema()).isEqualTo("\"My \"\"Coord\"\" Schema.v1\"");
        assertThat(tables.jobs()).isEqualTo("\"My \"\"Coord\"\" Schema.v1\".\"snapshot_job\"");
        assertThat(tables.chunks()).isEqualTo("\"My \"\"Coord\"\" Schema.v1\".\"snapshot_chunk\"");
        assertThat(tables.versions()).isEqualTo("\"My \"\"Coord\"\" Schema.v1\".\"schema_version\"");
    }

    @Test
    void rejectsAnEmptySchemaOrOneWithANulCharacter() {
        assertThatThrownBy(() -> new CoordinationTables("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("coordination schema name must be non-empty and contain no NUL character, was \"\"");
        assertThatThrownBy(() -> new CoordinationTables("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsASchemaNameLongerThanPostgresKeeps() {
        assertThat(new CoordinationTables("é".repeat(31) + "x").schema()).hasSize(32);
        assertThatThrownBy(() -> new CoordinationTables("é".repeat(32))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("coordination schema name must be at most 63 bytes (PostgreSQL's identifier limit), was");
    }
}
