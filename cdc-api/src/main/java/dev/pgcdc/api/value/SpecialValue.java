package dev.pgcdc.api.value;

/**
 * Values of {@code numeric}, {@code date}, {@code timestamp} and {@code timestamptz} that a
 * {@link java.math.BigDecimal} or {@code java.time} type cannot hold. ({@code float4}/{@code float8}
 * use {@link Double#NaN} and the infinities of {@code double} instead.)
 */
public enum SpecialValue {
    /** {@code 'NaN'::numeric}. */
    NAN("NaN"),
    /** {@code 'Infinity'::numeric}, {@code 'infinity'::timestamp} and the like. */
    POSITIVE_INFINITY("Infinity"),
    /** {@code '-Infinity'::numeric}, {@code '-infinity'::date} and the like. */
    NEGATIVE_INFINITY("-Infinity");

    private final String text;

    SpecialValue(String text) {
        this.text = text;
    }

    /** The spelling PostgreSQL accepts for numeric: {@code NaN}, {@code Infinity}, {@code -Infinity}. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
