package dev.pgcdc.api.position;

/**
 * A PostgreSQL write-ahead-log location (pg_lsn), an unsigned 64-bit byte offset written as two
 * hexadecimal halves {@code X/Y}. Immutable; ordered as unsigned numbers.
 *
 * @param value the 64-bit location, compared unsigned
 */
public record Lsn(long value) implements Comparable<Lsn> {

    /** {@code 0/0}: PostgreSQL's InvalidXLogRecPtr, used for "no position yet". */
    public static final Lsn INVALID = new Lsn(0L);

    public static Lsn of(long value) {
        return value == 0L ? INVALID : new Lsn(value);
    }

    /**
     * Parses {@code X/Y} where X and Y are hexadecimal numbers of at most 8 digits each.
     *
     * @throws IllegalArgumentException naming the text when it is not an LSN
     */
    public static Lsn parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("LSN must not be null");
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || slash > 8 || text.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("not an LSN: \"" + text + "\" (expected X/Y with hexadecimal X and Y, e.g. 16/B374D848)");
        }
        try {
            long high = Long.parseLong(text, 0, slash, 16);
            long low = Long.parseLong(text, slash + 1, text.length(), 16);
            return of(high << 32 | low);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an LSN: \"" + text + "\" (expected X/Y with hexadecimal X and Y, e.g. 16/B374D848)", e);
        }
    }

    public boolean isValid() {
        return value != 0L;
    }

    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    /** The larger of the two. */
    public Lsn max(Lsn other) {
        return compareTo(other) >= 0 ? this : other;
    }

    /** Bytes from {@code earlier} to this location; negative when {@code earlier} is after it. */
    public long bytesSince(Lsn earlier) {
        return value - earlier.value;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    /** PostgreSQL's text form, upper-case hexadecimal: {@code 16/B374D848}. */
    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase(java.util.Locale.ROOT) + '/'
                + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase(java.util.Locale.ROOT);
    }
}
