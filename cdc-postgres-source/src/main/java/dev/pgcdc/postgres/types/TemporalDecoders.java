package dev.pgcdc.postgres.types;

import dev.pgcdc.api.value.Interval;
import dev.pgcdc.api.value.SpecialValue;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;

/**
 * Hand parsers of the date/time output of PostgreSQL with {@code DateStyle = ISO} and
 * {@code IntervalStyle = postgres} (the replication session is started with both): {@code date}
 * {@code 2024-01-15}, {@code time} {@code 10:15:30.5}, {@code timetz} {@code 10:15:30+05:30},
 * {@code timestamp} {@code 2024-01-15 10:15:30.123456}, {@code timestamptz}
 * {@code 2024-01-15 10:15:30+01}, each with {@code BC} after it for years before 1 and
 * {@code infinity}/{@code -infinity} where the type has them (decoded as
 * {@link SpecialValue#DATE_TIME_INFINITY} and {@link SpecialValue#DATE_TIME_NEGATIVE_INFINITY},
 * which keep that spelling); {@code interval}
 * {@code 1 year 2 mons -3 days +04:05:06.5}.
 *
 * <p>{@code time '24:00:00'}, which {@link LocalTime} cannot hold, becomes {@link LocalTime#MAX}.
 */
public final class TemporalDecoders {

    public static final ValueDecoder DATE = orInfinity(TemporalDecoders::decodeDate);
    public static final ValueDecoder TIME = (b, off, len) -> {
        Cursor cursor = new Cursor(b, off, len);
        LocalTime time = cursor.time();
        cursor.expectEnd();
        return time;
    };
    public static final ValueDecoder TIMETZ = (b, off, len) -> {
        Cursor cursor = new Cursor(b, off, len);
        LocalTime time = cursor.time();
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(cursor.offsetSeconds());
        cursor.expectEnd();
        return OffsetTime.of(time, offset);
    };
    public static final ValueDecoder TIMESTAMP = orInfinity(TemporalDecoders::decodeTimestamp);
    public static final ValueDecoder TIMESTAMPTZ = orInfinity(TemporalDecoders::decodeTimestamptz);
    public static final ValueDecoder INTERVAL = orInfinity(TemporalDecoders::decodeInterval);

    private static final long MICROS_PER_SECOND = 1_000_000L;

    private TemporalDecoders() {
    }

    private static Object decodeDate(byte[] b, int off, int len) {
        Cursor cursor = new Cursor(b, off, len);
        long[] ymd = cursor.date();
        boolean bc = cursor.bc();
        cursor.expectEnd();
        return LocalDate.of(isoYear(ymd[0], bc), (int) ymd[1], (int) ymd[2]);
    }

    private static Object decodeTimestamp(byte[] b, int off, int len) {
        Cursor cursor = new Cursor(b, off, len);
        long[] ymd = cursor.date();
        cursor.expect(' ');
        LocalTime time = cursor.time();
        boolean bc = cursor.bc();
        cursor.expectEnd();
        return LocalDateTime.of(LocalDate.of(isoYear(ymd[0], bc), (int) ymd[1], (int) ymd[2]), time);
    }

    private static Object decodeTimestamptz(byte[] b, int off, int len) {
        Cursor cursor = new Cursor(b, off, len);
        long[] ymd = cursor.date();
        cursor.expect(' ');
        long hour = cursor.digits(2);
        cursor.expect(':');
        long minute = cursor.digits(2);
        cursor.expect(':');
        long second = cursor.digits(2);
        int nanos = cursor.fraction();
        int offsetSeconds = cursor.offsetSeconds();
        boolean bc = cursor.bc();
        cursor.expectEnd();
        long epochDay = epochDay(isoYear(ymd[0], bc), (int) ymd[1], (int) ymd[2]);
        long epochSecond = epochDay * 86_400L + hour * 3600 + minute * 60 + second - offsetSeconds;
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    static long epochDay(long year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    private static Object decodeInterval(byte[] b, int off, int len) {
        Cursor cursor = new Cursor(b, off, len);
        long months = 0;
        long days = 0;
        long micros = 0;
        while (!cursor.atEnd()) {
            cursor.skipSpaces();
            boolean negative = cursor.sign();
            long number = cursor.number();
            if (cursor.peek() == ':') {
                cursor.expect(':');
                long minutes = cursor.digits(2);
                cursor.expect(':');
                long seconds = cursor.digits(2);
                long fraction = cursor.fraction() / 1000;
                long time = number * 3600 * MICROS_PER_SECOND + minutes * 60 * MICROS_PER_SECOND + seconds * MICROS_PER_SECOND + fraction;
                micros += negative ? -time : time;
                continue;
            }
            long signed = negative ? -number : number;
            cursor.expect(' ');
            char unit = cursor.unit();
            switch (unit) {
                case 'y' -> months += signed * 12;
                case 'm' -> months += signed;
                case 'd' -> days += signed;
                default -> throw new IllegalArgumentException("not an interval (IntervalStyle postgres expected): \""
                        + ScalarDecoders.ascii(b, off, len) + "\"");
            }
        }
        return new Interval(Math.toIntExact(months), Math.toIntExact(days), micros);
    }

    /** {@code finite}, for a type that also has {@code infinity} and {@code -infinity}: those two are decoded before it is asked. */
    private static ValueDecoder orInfinity(ValueDecoder finite) {
        return (b, off, len) -> {
            SpecialValue special = infinity(b, off, len);
            return special != null ? special : finite.decode(b, off, len);
        };
    }

    private static SpecialValue infinity(byte[] b, int off, int len) {
        if (len == 8 && b[off] == 'i' && ScalarDecoders.ascii(b, off, len).equals("infinity")) {
            return SpecialValue.DATE_TIME_INFINITY;
        }
        if (len == 9 && b[off] == '-' && b[off + 1] == 'i' && ScalarDecoders.ascii(b, off, len).equals("-infinity")) {
            return SpecialValue.DATE_TIME_NEGATIVE_INFINITY;
        }
        return null;
    }

    /** ISO proleptic year of PostgreSQL's year {@code y BC}: 1 BC is year 0. */
    private static int isoYear(long year, boolean bc) {
        return Math.toIntExact(bc ? 1 - year : year);
    }

    /** A position in the value's bytes. */
    private static final class Cursor {
        private final byte[] b;
        private final int start;
        private final int end;
        private int pos;

        Cursor(byte[] b, int off, int len) {
            this.b = b;
            this.start = off;
            this.pos = off;
            this.end = off + len;
        }

        boolean atEnd() {
            return pos >= end;
        }

        int peek() {
            return pos < end ? b[pos] : -1;
        }

        long[] date() {
            long year = number();
            expect('-');
            long month = digits(2);
            expect('-');
            long day = digits(2);
            return new long[] {year, month, day};
        }

        LocalTime time() {
            int hour = (int) digits(2);
            expect(':');
            int minute = (int) digits(2);
            expect(':');
            int second = (int) digits(2);
            int nanos = fraction();
            if (hour == 24 && minute == 0 && second == 0 && nanos == 0) {
                return LocalTime.MAX;
            }
            return LocalTime.of(hour, minute, second, nanos);
        }

        /** Optional {@code .digits}, as nanoseconds. */
        int fraction() {
            if (peek() != '.') {
                return 0;
            }
            pos++;
            int nanos = 0;
            int count = 0;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                if (count < 9) {
                    nanos = nanos * 10 + (b[pos] - '0');
                    count++;
                }
                pos++;
            }
            if (count == 0) {
                throw error();
            }
            for (int i = count; i < 9; i++) {
                nanos *= 10;
            }
            return nanos;
        }

        /** {@code +HH}, {@code -HH:MM} or {@code +HH:MM:SS}, as seconds east of UTC. */
        int offsetSeconds() {
            int c = peek();
            if (c != '+' && c != '-') {
                throw error();
            }
            pos++;
            int seconds = (int) digits(2) * 3600;
            if (peek() == ':') {
                pos++;
                seconds += (int) digits(2) * 60;
                if (peek() == ':') {
                    pos++;
                    seconds += (int) digits(2);
                }
            }
            return c == '-' ? -seconds : seconds;
        }

        boolean bc() {
            if (end - pos == 3 && b[pos] == ' ' && b[pos + 1] == 'B' && b[pos + 2] == 'C') {
                pos = end;
                return true;
            }
            return false;
        }

        boolean sign() {
            int c = peek();
            if (c == '-' || c == '+') {
                pos++;
                return c == '-';
            }
            return false;
        }

        /** One or more digits. */
        long number() {
            int from = pos;
            long value = 0;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                value = Math.addExact(Math.multiplyExact(value, 10), b[pos] - '0');
                pos++;
            }
            if (pos == from) {
                throw error();
            }
            return value;
        }

        /** Exactly {@code count} digits, or more for hours of an interval. */
        long digits(int count) {
            int from = pos;
            long value = number();
            if (pos - from < count) {
                throw error();
            }
            return value;
        }

        /** Reads a unit word (year(s), mon(s), day(s)); returns its first letter. */
        char unit() {
            int from = pos;
            while (pos < end && b[pos] != ' ') {
                pos++;
            }
            if (pos == from) {
                throw error();
            }
            return (char) b[from];
        }

        void skipSpaces() {
            while (pos < end && b[pos] == ' ') {
                pos++;
            }
        }

        void expect(char c) {
            if (pos >= end || b[pos] != c) {
                throw error();
            }
            pos++;
        }

        void expectEnd() {
            if (pos != end) {
                throw error();
            }
        }

        IllegalArgumentException error() {
            return new IllegalArgumentException("unexpected text at offset " + (pos - start) + " of \""
                    + ScalarDecoders.ascii(b, start, end - start) + "\"");
        }
    }
}
