package dev.pgcdc.json;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;

/**
 * ISO-8601 text of date and time values written into a caller's {@code char[]} without allocating,
 * because a timestamp is in nearly every event (the commit time) and in most rows. Output:
 * {@code 2024-03-01T12:30:05.123456Z} for instants, the same without {@code Z} for local
 * date-times, {@code 12:30:05} and {@code 12:30:05.5+02:00} for times. Seconds are always written;
 * a fraction has 3, 6 or 9 digits, as few as keep every nanosecond (like {@link Instant#toString()}).
 * Years outside 0000-9999 return -1 and the caller falls back to the value's {@code toString()}.
 */
public final class IsoTime {

    /** Enough for every output of this class. */
    public static final int MAX_LENGTH = 48;

    private static final long SECONDS_PER_DAY = 86_400;

    private IsoTime() {
    }

    /** Writes {@code instant} (UTC, with {@code Z}); the length written, or -1 for a year outside 0000-9999. */
    static int instant(Instant instant, char[] buffer) {
        int pos = utcDateTime(instant, instant.getNano(), buffer);
        if (pos < 0) {
            return -1;
        }
        buffer[pos++] = 'Z';
        return pos;
    }

    /**
     * Writes {@code instant} in UTC with exactly {@code fractionDigits} (1-9) digits of the second's
     * fraction, as Debezium's ZonedTimestamp does for a column of that precision: {@code 2024-03-01T12:30:05.120Z};
     * the length written, or -1 for a year outside 0000-9999.
     */
    public static int instant(Instant instant, int fractionDigits, char[] buffer) {
        int pos = utcDateTime(instant, 0, buffer);
        if (pos < 0) {
            return -1;
        }
        buffer[pos++] = '.';
        int fraction = instant.getNano();
        for (int i = 9; i > fractionDigits; i--) {
            fraction /= 10;
        }
        for (int i = fractionDigits - 1; i >= 0; i--) {
            buffer[pos + i] = (char) ('0' + fraction % 10);
            fraction /= 10;
        }
        pos += fractionDigits;
        buffer[pos++] = 'Z';
        return pos;
    }

    /** Writes the UTC date and time of day of {@code instant} with {@code nanos} as its fraction; the end, or -1 for a year outside 0000-9999. */
    private static int utcDateTime(Instant instant, int nanos, char[] buffer) {
        long seconds = instant.getEpochSecond();
        int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
        int pos = epochDay(Math.floorDiv(seconds, SECONDS_PER_DAY), buffer);
        if (pos < 0) {
            return -1;
        }
        buffer[pos++] = 'T';
        return time(secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60, nanos, buffer, pos);
    }

    static int localDateTime(LocalDateTime value, char[] buffer) {
        int pos = date(value.getYear(), value.getMonthValue(), value.getDayOfMonth(), buffer);
        if (pos < 0) {
            return -1;
        }
        buffer[pos++] = 'T';
        return time(value.getHour(), value.getMinute(), value.getSecond(), value.getNano(), buffer, pos);
    }

    static int localDate(LocalDate value, char[] buffer) {
        return date(value.getYear(), value.getMonthValue(), value.getDayOfMonth(), buffer);
    }

    static int localTime(LocalTime value, char[] buffer) {
        return time(value.getHour(), value.getMinute(), value.getSecond(), value.getNano(), buffer, 0);
    }

    static int offsetTime(OffsetTime value, char[] buffer) {
        int pos = localTime(value.toLocalTime(), buffer);
        String offset = value.getOffset().getId();
        offset.getChars(0, offset.length(), buffer, pos);
        return pos + offset.length();
    }

    /** The civil date of an epoch day (Howard Hinnant's days-to-civil algorithm), written as {@code yyyy-MM-dd}. */
    private static int epochDay(long epochDay, char[] buffer) {
        long z = epochDay + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long shiftedMonth = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * shiftedMonth + 2) / 5 + 1);
        int month = (int) (shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        if (year < 0 || year > 9999) {
            return -1;
        }
        return date((int) year, month, day, buffer);
    }

    private static int date(int year, int month, int day, char[] buffer) {
        if (year < 0 || year > 9999) {
            return -1;
        }
        digits4(year, buffer, 0);
        buffer[4] = '-';
        digits2(month, buffer, 5);
        buffer[7] = '-';
        digits2(day, buffer, 8);
        return 10;
    }

    private static int time(int hour, int minute, int second, int nano, char[] buffer, int start) {
        int pos = start;
        digits2(hour, buffer, pos);
        buffer[pos + 2] = ':';
        digits2(minute, buffer, pos + 3);
        buffer[pos + 5] = ':';
        digits2(second, buffer, pos + 6);
        pos += 8;
        if (nano == 0) {
            return pos;
        }
        buffer[pos++] = '.';
        int digits;
        int fraction;
        if (nano % 1_000_000 == 0) {
            digits = 3;
            fraction = nano / 1_000_000;
        } else if (nano % 1000 == 0) {
            digits = 6;
            fraction = nano / 1000;
        } else {
            digits = 9;
            fraction = nano;
        }
        for (int i = digits - 1; i >= 0; i--) {
            buffer[pos + i] = (char) ('0' + fraction % 10);
            fraction /= 10;
        }
        return pos + digits;
    }

    private static void digits2(int value, char[] buffer, int pos) {
        buffer[pos] = (char) ('0' + value / 10);
        buffer[pos + 1] = (char) ('0' + value % 10);
    }

    private static void digits4(int value, char[] buffer, int pos) {
        buffer[pos] = (char) ('0' + value / 1000);
        buffer[pos + 1] = (char) ('0' + value / 100 % 10);
        buffer[pos + 2] = (char) ('0' + value / 10 % 10);
        buffer[pos + 3] = (char) ('0' + value % 10);
    }
}
