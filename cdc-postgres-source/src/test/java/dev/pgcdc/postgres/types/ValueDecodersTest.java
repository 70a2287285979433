package dev.pgcdc.postgres.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.value.Interval;
import dev.pgcdc.api.value.SpecialValue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ValueDecodersTest {

    private static Object decode(ValueDecoder decoder, String text) {
        byte[] bytes = ("##" + text + "##").getBytes(StandardCharsets.UTF_8);
        return decoder.decode(bytes, 2, bytes.length - 4);
    }

    @Test
    void decodesBooleansAndIntegers() {
        assertThat(decode(ScalarDecoders.BOOL, "t")).isEqualTo(true);
        assertThat(decode(ScalarDecoders.BOOL, "f")).isEqualTo(false);
        assertThat(decode(ScalarDecoders.INT2, "-32768")).isEqualTo(-32768);
        assertThat(decode(ScalarDecoders.INT4, "2147483647")).isEqualTo(Integer.MAX_VALUE);
        assertThat(decode(ScalarDecoders.INT4, "-2147483648")).isEqualTo(Integer.MIN_VALUE);
        assertThat(decode(ScalarDecoders.INT8, "-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(decode(ScalarDecoders.INT8, "9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(decode(ScalarDecoders.OID, "4294967295")).isEqualTo(4294967295L);
        assertThatThrownBy(() -> decode(ScalarDecoders.INT4, "2147483648")).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> decode(ScalarDecoders.INT8, "9223372036854775808")).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> decode(ScalarDecoders.INT4, "12a")).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> decode(ScalarDecoders.INT4, "-")).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> decode(ScalarDecoders.BOOL, "yes")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodesFloatsWithTheirSpecialValues() {
        assertThat(decode(ScalarDecoders.FLOAT4, "1.5")).isEqualTo(1.5f);
        assertThat(decode(ScalarDecoders.FLOAT4, "NaN")).isEqualTo(Float.NaN);
        assertThat(decode(ScalarDecoders.FLOAT8, "-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(decode(ScalarDecoders.FLOAT8, "Infinity")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(decode(ScalarDecoders.FLOAT8, "0.1")).isEqualTo(0.1d);
        assertThat(decode(ScalarDecoders.FLOAT8, "1e+308")).isEqualTo(1e308d);
    }

    @Test
    void decodesNumericAndMoney() {
        assertThat(decode(ScalarDecoders.NUMERIC, "-12345678901234567890.000100")).isEqualTo(new BigDecimal("-12345678901234567890.000100"));
        assertThat(decode(ScalarDecoders.NUMERIC, "NaN")).isEqualTo(SpecialValue.NAN);
        assertThat(decode(ScalarDecoders.NUMERIC, "Infinity")).isEqualTo(SpecialValue.POSITIVE_INFINITY);
        assertThat(decode(ScalarDecoders.NUMERIC, "-Infinity")).isEqualTo(SpecialValue.NEGATIVE_INFINITY);
        assertThat(decode(ScalarDecoders.MONEY, "$1,234.56")).isEqualTo(new BigDecimal("1234.56"));
        assertThat(decode(ScalarDecoders.MONEY, "-$0.01")).isEqualTo(new BigDecimal("-0.01"));
        assertThat(decode(ScalarDecoders.MONEY, "-$92,233,720,368,547,758.08")).isEqualTo(new BigDecimal("-92233720368547758.08"));
        assertThat(decode(ScalarDecoders.MONEY, "1.234,56 €")).isEqualTo(new BigDecimal("1234.56"));
    }

    @Test
    void decodesTextByteaAndUuid() {
        assertThat(decode(ScalarDecoders.TEXT, "grüße, 世界")).isEqualTo("grüße, 世界");
        assertThat((byte[]) decode(ScalarDecoders.BYTEA, "\\x00ff10Ab")).containsExactly(0x00, 0xff, 0x10, 0xab);
        assertThat((byte[]) decode(ScalarDecoders.BYTEA, "\\x")).isEmpty();
        assertThat((byte[]) decode(ScalarDecoders.BYTEA, "a\\\\b\\001")).containsExactly('a', '\\', 'b', 1);
        assertThat(decode(ScalarDecoders.UUID_DECODER, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
                .isEqualTo(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        assertThatThrownBy(() -> decode(ScalarDecoders.UUID_DECODER, "a0eebc99")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodesDatesAndTimes() {
        assertThat(decode(TemporalDecoders.DATE, "2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(decode(TemporalDecoders.DATE, "0044-03-15 BC")).isEqualTo(LocalDate.of(-43, 3, 15));
        assertThat(decode(TemporalDecoders.DATE, "5874897-12-31")).isEqualTo(LocalDate.of(5874897, 12, 31));
        assertThat(decode(TemporalDecoders.DATE, "infinity")).isEqualTo(SpecialValue.DATE_TIME_INFINITY);
        assertThat(decode(TemporalDecoders.DATE, "-infinity")).isEqualTo(SpecialValue.DATE_TIME_NEGATIVE_INFINITY);
        assertThat(decode(TemporalDecoders.TIME, "13:45:06.000789")).isEqualTo(LocalTime.of(13, 45, 6, 789_000));
        assertThat(decode(TemporalDecoders.TIME, "24:00:00")).isEqualTo(LocalTime.MAX);
        assertThat(decode(TemporalDecoders.TIMETZ, "13:45:06.5+05:30")).isEqualTo(OffsetTime.of(13, 45, 6, 500_000_000,
                ZoneOffset.ofHoursMinutes(5, 30)));
        assertThat(decode(TemporalDecoders.TIMETZ, "00:00:00-15:59:59")).isEqualTo(OffsetTime.of(0, 0, 0, 0,
                ZoneOffset.ofHoursMinutesSeconds(-15, -59, -59)));
        assertThat(decode(TemporalDecoders.TIMESTAMP, "2024-01-15 10:15:30.123456")).isEqualTo(LocalDateTime.of(2024, 1, 15, 10, 15, 30,
                123_456_000));
        assertThat(decode(TemporalDecoders.TIMESTAMP, "4713-01-01 00:00:00 BC")).isEqualTo(LocalDateTime.of(-4712, 1, 1, 0, 0));
        assertThat(decode(TemporalDecoders.TIMESTAMP, "-infinity")).isEqualTo(SpecialValue.DATE_TIME_NEGATIVE_INFINITY);
        assertThat(decode(TemporalDecoders.TIMESTAMPTZ, "2024-01-15 10:15:30.5+01")).isEqualTo(Instant.parse("2024-01-15T09:15:30.5Z"));
        assertThat(decode(TemporalDecoders.TIMESTAMPTZ, "1800-01-01 00:00:00+00:53:28")).isEqualTo(Instant.parse("1799-12-31T23:06:32Z"));
        assertThat(decode(TemporalDecoders.TIMESTAMPTZ, "0001-01-01 00:00:00+00 BC")).isEqualTo(Instant.parse("0000-01-01T00:00:00Z"));
        assertThat(decode(TemporalDecoders.TIMESTAMPTZ, "294276-12-31 23:59:59.999999+00")).isEqualTo(
                LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000).toInstant(ZoneOffset.UTC));
        assertThat(decode(TemporalDecoders.TIMESTAMPTZ, "infinity")).isEqualTo(SpecialValue.DATE_TIME_INFINITY);
        assertThat(decode(TemporalDecoders.TIMESTAMPTZ, "infinity")).hasToString("infinity");
        assertThat(decode(TemporalDecoders.DATE, "-infinity")).hasToString("-infinity");
        assertThatThrownBy(() -> decode(TemporalDecoders.TIMESTAMPTZ, "2024-01-15T10:15:30Z")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodesIntervalsOfThePostgresStyle() {
        assertThat(decode(TemporalDecoders.INTERVAL, "1 year 2 mons 3 days 04:05:06.5")).isEqualTo(new Interval(14, 3, 14_706_500_000L));
        assertThat(decode(TemporalDecoders.INTERVAL, "-1 years -2 mons +3 days -04:05:06")).isEqualTo(new Interval(-14, 3, -14_706_000_000L));
        assertThat(decode(TemporalDecoders.INTERVAL, "00:00:00")).isEqualTo(new Interval(0, 0, 0));
        assertThat(decode(TemporalDecoders.INTERVAL, "-00:00:00.000001")).isEqualTo(new Interval(0, 0, -1));
        assertThat(decode(TemporalDecoders.INTERVAL, "1 day")).isEqualTo(new Interval(0, 1, 0));
        assertThat(decode(TemporalDecoders.INTERVAL, "2562047788:00:54.775807")).isEqualTo(new Interval(0, 0, Long.MAX_VALUE));
        assertThat(decode(TemporalDecoders.INTERVAL, "infinity")).isEqualTo(SpecialValue.DATE_TIME_INFINITY);
    }

    @Test
    void decodesArraysWithQuotingNullsAndDimensions() {
        ArrayDecoder ints = new ArrayDecoder(ScalarDecoders.INT4, ',');
        ArrayDecoder texts = new ArrayDecoder(ScalarDecoders.TEXT, ',');
        assertThat(decode(ints, "{}")).isEqualTo(List.of());
        assertThat(decode(ints, "{1,2,NULL}")).isEqualTo(Arrays.asList(1, 2, null));
        assertThat(decode(ints, "{{1,2},{3,4}}")).isEqualTo(List.of(List.of(1, 2), List.of(3, 4)));
        assertThat(decode(ints, "[0:1]={7,8}")).isEqualTo(List.of(7, 8));
        assertThat(decode(texts, "{\"a b\",\"NULL\",null,\"q\\\"uote\",\"back\\\\slash\",plain,\"{}\",\"\"}"))
                .isEqualTo(Arrays.asList("a b", "NULL", null, "q\"uote", "back\\slash", "plain", "{}", ""));
        assertThat(decode(new ArrayDecoder(ScalarDecoders.TEXT, ';'), "{(1,1),(0,0);(2,2),(1,1)}")).isEqualTo(List.of("(1,1),(0,0)",
                "(2,2),(1,1)"));
        assertThat(decode(new ArrayDecoder(TemporalDecoders.TIMESTAMPTZ, ','), "{\"2024-01-15 10:00:00+00\",infinity}"))
                .isEqualTo(List.of(Instant.parse("2024-01-15T10:00:00Z"), SpecialValue.DATE_TIME_INFINITY));
        assertThat((List<?>) decode(texts, "{a,b}")).isUnmodifiable();
        assertThatThrownBy(() -> decode(ints, "{1,2")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resolvesDomainsToTheirBaseTypeAndEnumsArraysAndUnknownTypesThroughTheCatalog() {
        TypeCatalog catalog = oid -> switch (oid) {
            case 70001 -> new CatalogType(oid, "positive_int", 'd', 'N', 0, 23, ',');
            case 70002 -> new CatalogType(oid, "mood", 'e', 'E', 0, 0, ',');
            case 70003 -> new CatalogType(oid, "_mood", 'b', 'A', 70002, 0, ',');
            case 70004 -> new CatalogType(oid, "_positive_int", 'b', 'A', 70001, 0, ',');
            default -> null;
        };
        TypeRegistry registry = new TypeRegistry(catalog);
        assertThat(registry.resolve(70001).name()).isEqualTo("positive_int");
        assertThat(decode(registry.resolve(70001).decoder(), "42")).isEqualTo(42);
        assertThat(decode(registry.resolve(70002).decoder(), "happy")).isEqualTo("happy");
        assertThat(decode(registry.resolve(70003).decoder(), "{happy,sad}")).isEqualTo(List.of("happy", "sad"));
        assertThat(decode(registry.resolve(70004).decoder(), "{1,NULL}")).isEqualTo(Arrays.asList(1, null));
        registry.announce(80000, "ext", "hstore");
        assertThat(registry.resolve(80000).name()).isEqualTo("ext.hstore");
        assertThat(decode(registry.resolve(80000).decoder(), "\"a\"=>\"1\"")).isEqualTo("\"a\"=>\"1\"");
        assertThat(registry.resolve(1231).name()).isEqualTo("_numeric");
    }
}
