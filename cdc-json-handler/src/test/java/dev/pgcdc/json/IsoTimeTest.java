package dev.pgcdc.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoTimeTest {

    private static final long MIN_SECOND = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    private static final long MAX_SECOND = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

    private final char[] buffer = new char[IsoTime.MAX_LENGTH];
    private final SplittableRandom random = new SplittableRandom(42);

    @Test
    void formatsInstantsExactlyAsInstantToString() {
        for (int i = 0; i < 200_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(MIN_SECOND, MAX_SECOND + 1), nanos());
            assertThat(format(IsoTime.instant(instant, buffer))).isEqualTo(instant.toString());
        }
        assertThat(format(IsoTime.instant(Instant.EPOCH, buffer))).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(format(IsoTime.instant(Instant.parse("2000-02-29T23:59:59.999999999Z"), buffer))).isEqualTo("2000-02-29T23:59:59.999999999Z");
    }

    @Test
    void leavesYearsOutsideFourDigitsToTheCaller() {
        assertThat(IsoTime.instant(Instant.parse("-0001-12-31T23:59:59Z"), buffer)).isEqualTo(-1);
        assertThat(IsoTime.instant(Instant.parse("+10000-01-01T00:00:00Z"), buffer)).isEqualTo(-1);
        assertThat(IsoTime.localDate(LocalDate.of(-4712, 1, 1), buffer)).isEqualTo(-1);
        assertThat(IsoTime.localDateTime(LocalDateTime.of(10000, 1, 1, 0, 0), buffer)).isEqualTo(-1);
    }

    @Test
    void formatsLocalValuesSoThatTheyParseBackEqual() {
        for (int i = 0; i < 100_000; i++) {
            LocalDateTime dateTime = LocalDateTime.ofEpochSecond(random.nextLong(MIN_SECOND, MAX_SECOND + 1), nanos(), ZoneOffset.UTC);
            String text = format(IsoTime.localDateTime(dateTime, buffer));
            assertThat(LocalDateTime.parse(text)).isEqualTo(dateTime);
            assertThat(text).hasSizeGreaterThanOrEqualTo(19);
            assertThat(LocalDate.parse(format(IsoTime.localDate(dateTime.toLocalDate(), buffer)))).isEqualTo(dateTime.toLocalDate());
            assertThat(LocalTime.parse(format(IsoTime.localTime(dateTime.toLocalTime(), buffer)))).isEqualTo(dateTime.toLocalTime());
        }
    }

    @Test
    void alwaysWritesSecondsAndFractionsInGroupsOfThree() {
        assertThat(format(IsoTime.localTime(LocalTime.of(7, 30), buffer))).isEqualTo("07:30:00");
        assertThat(format(IsoTime.localTime(LocalTime.of(7, 30, 0, 100_000_000), buffer))).isEqualTo("07:30:00.100");
        assertThat(format(IsoTime.localTime(LocalTime.of(7, 30, 0, 1000), buffer))).isEqualTo("07:30:00.000001");
        assertThat(format(IsoTime.localTime(LocalTime.of(7, 30, 0, 1), buffer))).isEqualTo("07:30:00.000000001");
        assertThat(format(IsoTime.localDateTime(LocalDateTime.of(2024, 1, 1, 0, 0), buffer))).isEqualTo("2024-01-01T00:00:00");
        assertThat(format(IsoTime.offsetTime(OffsetTime.of(23, 59, 59, 0, ZoneOffset.ofHoursMinutes(-5, -30)), buffer)))
                .isEqualTo("23:59:59-05:30");
        assertThat(format(IsoTime.offsetTime(OffsetTime.of(0, 0, 0, 0, ZoneOffset.UTC), buffer))).isEqualTo("00:00:00Z");
    }

    private int nanos() {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1000;
            default -> random.nextInt(1_000_000_000);
        };
    }

    private String format(int length) {
        assertThat(length).isPositive();
        return new String(buffer, 0, length);
    }
}
