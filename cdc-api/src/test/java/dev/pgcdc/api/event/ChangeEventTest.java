package dev.pgcdc.api.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.value.UnchangedToast;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeEventTest {

    private static final TableId USERS = new TableId("public", "users");

    @Test
    void buildsAnInsertWithItsPosition() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("id", 1);
        values.put("name", "ada");
        ChangeEvent event = ChangeEvent.builder(Operation.INSERT).table(USERS).after(Row.of(values))
                .commitLsn(Lsn.parse("0/100")).position(new Position(Lsn.parse("0/100"), 3)).build();
        assertThat(event.identifyingRow().value("name")).isEqualTo("ada");
        assertThat(event.position()).hasToString("0/100#3");
        assertThat(event.isSnapshot()).isFalse();
    }

    @Test
    void requiresTheImagesItsOperationNeeds() {
        assertThatThrownBy(() -> ChangeEvent.builder(Operation.DELETE).table(USERS).build())
                .hasMessage("DELETE event needs a table and a before image");
        assertThatThrownBy(() -> ChangeEvent.builder(Operation.MESSAGE).build()).hasMessage("MESSAGE event needs a message");
        assertThatThrownBy(() -> ChangeEvent.builder(Operation.TRUNCATE).table(USERS).build())
                .hasMessage("TRUNCATE event needs a table and truncate options");
    }

    @Test
    void rowKeepsNullUnchangedToastAndValuesApart() {
        List<Column> columns = List.of(new Column("id", 23, "int4", -1, true), new Column("doc", 25, "text", -1, false),
                new Column("note", 25, "text", -1, false));
        Row row = new Row(columns, new Object[] {7, UnchangedToast.INSTANCE, null});
        assertThat(row.isUnchangedToast(1)).isTrue();
        assertThat(row.isNull(1)).isFalse();
        assertThat(row.isNull(2)).isTrue();
        assertThat(row.keyColumns().asMap()).containsExactly(Map.entry("id", 7));
        assertThatThrownBy(() -> row.value("missing")).hasMessageContaining("row has no column \"missing\"");
        assertThatThrownBy(() -> new Row(columns, new Object[1])).hasMessageContaining("1 values for 3 columns");
    }
}
