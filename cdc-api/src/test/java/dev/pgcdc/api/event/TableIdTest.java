package dev.pgcdc.api.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableIdTest {

    @Test
    void parsesQualifiedUnqualifiedAndQuotedNames() {
        assertThat(TableId.parse("users")).isEqualTo(new TableId("public", "users"));
        assertThat(TableId.parse("sales.orders")).isEqualTo(new TableId("sales", "orders"));
        assertThat(TableId.parse("\"My Schema\".\"Order Items\"")).isEqualTo(new TableId("My Schema", "Order Items"));
        assertThat(TableId.parse("public.\"a.b\"")).isEqualTo(new TableId("public", "a.b"));
        assertThat(TableId.parse("\"say \"\"hi\"\"\"")).isEqualTo(new TableId("public", "say \"hi\""));
    }

    @Test
    void quotesEveryPartForSql() {
        assertThat(new TableId("public", "Order Items").quoted()).isEqualTo("\"public\".\"Order Items\"");
        assertThat(new TableId("public", "say \"hi\"").quoted()).isEqualTo("\"public\".\"say \"\"hi\"\"\"");
        assertThat(new TableId("public", "select")).hasToString("public.select");
    }

    @Test
    void rejectsMalformedNames() {
        for (String bad : new String[] {"", "a.b.c", ".b", "a.", "\"unterminated"}) {
            assertThatThrownBy(() -> TableId.parse(bad)).hasMessageContaining("not a table name");
        }
        assertThatThrownBy(() -> new TableId("", "x")).hasMessageContaining("non-empty");
    }
}
