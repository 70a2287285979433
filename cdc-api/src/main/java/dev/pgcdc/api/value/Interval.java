package dev.pgcdc.api.value;

/**
 * A PostgreSQL {@code interval}: months, days and microseconds are kept apart, as PostgreSQL does,
 * because a month is not a fixed number of days nor a day a fixed number of seconds.
 *
 * @param months       years times 12 plus months
 * @param days         days
 * @param microseconds the time part
 */
public record Interval(int months, int days, long microseconds) {

    /** ISO-8601 duration, e.g. {@code P1Y2M3DT4H5M6.5S}; {@code PT0S} for zero. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("P");
        int years = months / 12;
        int restMonths = months % 12;
        if (years != 0) {
            text.append(years).append('Y');
        }
        if (restMonths != 0) {
            text.append(restMonths).append('M');
        }
        if (days != 0) {
            text.append(days).append('D');
        }
        if (microseconds != 0) {
            text.append('T');
            long hours = microseconds / 3_600_000_000L;
            long minutes = microseconds % 3_600_000_000L / 60_000_000L;
            long micros = microseconds % 60_000_000L;
            if (hours != 0) {
                text.append(hours).append('H');
            }
            if (minutes != 0) {
                text.append(minutes).append('M');
            }
            if (micros != 0) {
                text.append(java.math.BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString()).append('S');
            }
        } else if (text.length() == 1) {
            text.append("T0S");
        }
        return text.toString();
    }
}
