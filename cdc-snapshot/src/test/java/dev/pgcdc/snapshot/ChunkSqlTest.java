package dev.pgcdc.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.coordination.ChunkRange;
import dev.pgcdc.api.event.TableId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChunkSqlTest {

    @Test
    void keyRangesCompareRowValuesOfQuotedColumnsWithBoundParameters() {
        ChunkSql.Where where = ChunkSql.where(new ChunkRange.KeyRange(List.of("Tenant", "we\"ird"), List.of("a", "1"), List.of("b", "2")),
                Optional.of("deleted = false"));
        assertThat(where.sql()).isEqualTo(" WHERE (\"Tenant\", \"we\"\"ird\") > (?, ?) AND (\"Tenant\", \"we\"\"ird\") <= (?, ?)"
                + " AND (deleted = false)");
        assertThat(where.parameters()).containsExactly("a", "1", "b", "2");
    }

    @Test
    void openEndsHaveNoBound() {
        assertThat(ChunkSql.where(new ChunkRange.KeyRange(List.of("id"), List.of(), List.of("10")), Optional.empty()).sql())
                .isEqualTo(" WHERE \"id\" <= ?");
        assertThat(ChunkSql.where(new ChunkRange.KeyRange(List.of("id"), List.of(), List.of()), Optional.empty()).sql()).isEmpty();
    }

    @Test
    void blockRangesUseTidBoundsAndTheLastIsOpen() {
        assertThat(ChunkSql.where(new ChunkRange.BlockRange(0, 8), Optional.empty()).sql()).isEqualTo(" WHERE ctid < '(8,0)'::tid");
        assertThat(ChunkSql.where(new ChunkRange.BlockRange(8, ChunkSql.END_OF_BLOCKS), Optional.empty()).sql())
                .isEqualTo(" WHERE ctid >= '(8,0)'::tid");
    }

    @Test
    void aBlockRangeOfAPartitionIsReadFromThePartitionAndEveryOtherRangeFromTheTable() {
        TableId root = new TableId("public", "Orders");
        TableId leaf = new TableId("sales", "Orders 2026");
        assertThat(ChunkSql.from(root, new ChunkRange.BlockRange(0, 8, Optional.of(leaf)))).isEqualTo("\"sales\".\"Orders 2026\"");
        assertThat(ChunkSql.from(root, new ChunkRange.BlockRange(0, 8))).isEqualTo("\"public\".\"Orders\"");
        assertThat(ChunkSql.from(root, new ChunkRange.KeyRange(List.of("id"), List.of(), List.of()))).isEqualTo("\"public\".\"Orders\"");
    }
}
