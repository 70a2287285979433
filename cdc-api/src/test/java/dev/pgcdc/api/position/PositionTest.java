package dev.pgcdc.api.position;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PositionTest {

    @Test
    void ordersByCommitLsnThenSequence() {
        Position a = new Position(Lsn.parse("0/10"), 5);
        Position b = new Position(Lsn.parse("0/10"), 6);
        Position c = new Position(Lsn.parse("0/11"), 0);
        assertThat(a).isLessThan(b);
        assertThat(b).isLessThan(c);
        assertThat(c.isAfter(a)).isTrue();
    }

    @Test
    void roundTripsThroughText() {
        Position position = new Position(Lsn.parse("16/B374D848"), 42);
        assertThat(position).hasToString("16/B374D848#42");
        assertThat(Position.parse("16/B374D848#42")).isEqualTo(position);
    }

    @Test
    void rejectsInvalidValues() {
        assertThatThrownBy(() -> new Position(Lsn.INVALID, -1)).hasMessageContaining("sequence must be >= 0");
        assertThatThrownBy(() -> Position.parse("16/B374D848")).hasMessageContaining("not a position");
        assertThatThrownBy(() -> Position.parse("x#1")).hasMessageContaining("not a position");
    }
}
