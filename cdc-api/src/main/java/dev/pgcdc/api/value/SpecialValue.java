package dev.pgcdc.api.value;

/**
 * Values of {@code numeric}, {@code date}, {@code timestamp}, {@code timestamptz} and (PostgreSQL
 * 17+) {@code interval} that a {@link java.math.BigDecimal} or {@code java.time} type cannot hold,
 * each spelled as PostgreSQL spells it for its type ({@code ::text} and {@code to_jsonb}):
 * {@code NaN}, {@code Infinity} and {@code -Infinity} for numeric, {@code infinity} and
 * {@code -infinity} for the date/time types. ({@code float4}/{@code float8} use {@link Double#NaN}
 * and the infinities of {@code double} instead.)
 */
public enum SpecialValue {
    /** {@code 'NaN'::numeric}. */
    NAN("NaN"),
    /** {@code 'Infinity'::numeric}. */
    POSITIVE_INFINITY("Infinity"),
    /** {@code '-Infinity'::numeric}. */
    NEGATIVE_INFINITY("-Infinity"),
    /** {@code 'infinity'} of {@code date}, {@code timestamp}, {@code timestamptz} and {@code interval}: after every other value. */
    DATE_TIME_INFINITY("infinity"),
    /** {@code '-infinity'} of {@code date}, {@code timestamp}, {@code timestamptz} and {@code interval}: before every other value. */
    DATE_TIME_NEGATIVE_INFINITY("-infinity");

    private final String text;

    SpecialValue(String text) {
        this.text = text;
    }

    /** PostgreSQL's spelling for the value's type: {@code NaN}, {@code Infinity}, {@code -Infinity}, {@code infinity}, {@code -infinity}. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
