package dev.pgcdc.api.position;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class LsnTest {

    @Test
    void parsesAndFormatsPostgresTextForm() {
        Lsn lsn = Lsn.parse("16/B374D848");
        assertThat(lsn.value()).isEqualTo(0x16_B374D848L);
        assertThat(lsn).hasToString("16/B374D848");
        assertThat(Lsn.parse("0/0")).isEqualTo(Lsn.INVALID);
        assertThat(Lsn.parse("0/1A")).hasToString("0/1A");
    }

    @Test
    void roundTripsEveryBitPattern() {
        for (long value : new long[] {0L, 1L, 0xFFFFFFFFL, 0x1_00000000L, Long.MAX_VALUE, -1L, Long.MIN_VALUE, 0xDEADBEEF_CAFEBABEL}) {
            Lsn lsn = Lsn.of(value);
            assertThat(Lsn.parse(lsn.toString())).isEqualTo(lsn);
        }
    }

    @Test
    void ordersAsUnsignedNumbers() {
        List<Lsn> lsns = new ArrayList<>(List.of(Lsn.parse("FFFFFFFF/0"), Lsn.parse("0/10"), Lsn.parse("1/0"), Lsn.parse("0/F")));
        Collections.sort(lsns);
        assertThat(lsns).extracting(Lsn::toString).containsExactly("0/F", "0/10", "1/0", "FFFFFFFF/0");
        assertThat(Lsn.parse("FFFFFFFF/0").isAfter(Lsn.parse("7FFFFFFF/FFFFFFFF"))).isTrue();
        assertThat(Lsn.parse("1/0").max(Lsn.parse("0/FFFFFFFF"))).isEqualTo(Lsn.parse("1/0"));
        assertThat(Lsn.parse("1/0").bytesSince(Lsn.parse("0/FFFFFFFF"))).isEqualTo(1);
    }

    @Test
    void rejectsTextThatIsNotAnLsn() {
        for (String bad : new String[] {"", "16", "/1", "1/", "G/1", "1/2/3", "123456789/0", "0/123456789", " 1/2"}) {
            assertThatThrownBy(() -> Lsn.parse(bad)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an LSN");
        }
        assertThatThrownBy(() -> Lsn.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
