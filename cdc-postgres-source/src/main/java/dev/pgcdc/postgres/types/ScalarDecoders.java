package dev.pgcdc.postgres.types;

import dev.pgcdc.api.value.SpecialValue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Decoders of the non-temporal built-in types, parsing straight from the bytes where that is
 * simple (integers, uuid, bytea) and through the JDK's parsers otherwise (floats, numeric).
 */
public final class ScalarDecoders {

    public static final ValueDecoder TEXT = (b, off, len) -> new String(b, off, len, StandardCharsets.UTF_8);
    public static final ValueDecoder BOOL = ScalarDecoders::decodeBool;
    public static final ValueDecoder INT2 = (b, off, len) -> toInt(parseLong(b, off, len), Short.MIN_VALUE, Short.MAX_VALUE, b, off, len);
    public static final ValueDecoder INT4 = (b, off, len) -> toInt(parseLong(b, off, len), Integer.MIN_VALUE, Integer.MAX_VALUE, b, off, len);
    public static final ValueDecoder INT8 = ScalarDecoders::parseLong;
    public static final ValueDecoder OID = ScalarDecoders::parseLong;
    public static final ValueDecoder FLOAT4 = (b, off, len) -> Float.parseFloat(ascii(b, off, len));
    public static final ValueDecoder FLOAT8 = (b, off, len) -> Double.parseDouble(ascii(b, off, len));
    public static final ValueDecoder NUMERIC = ScalarDecoders::decodeNumeric;
    public static final ValueDecoder MONEY = ScalarDecoders::decodeMoney;
    public static final ValueDecoder BYTEA = ScalarDecoders::decodeBytea;
    public static final ValueDecoder UUID_DECODER = ScalarDecoders::decodeUuid;

    private ScalarDecoders() {
    }

    private static Object decodeBool(byte[] b, int off, int len) {
        if (len == 1) {
            if (b[off] == 't') {
                return Boolean.TRUE;
            }
            if (b[off] == 'f') {
                return Boolean.FALSE;
            }
        }
        throw new IllegalArgumentException("not a boolean: \"" + ascii(b, off, len) + "\"");
    }

    /** A decimal integer, optionally signed, without allocating. */
    static long parseLong(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        boolean negative = false;
        if (i < end && (b[i] == '-' || b[i] == '+')) {
            negative = b[i] == '-';
            i++;
        }
        if (i == end) {
            throw new NumberFormatException("not an integer: \"" + ascii(b, off, len) + "\"");
        }
        long result = 0; // accumulated negatively, so Long.MIN_VALUE fits
        for (; i < end; i++) {
            int digit = b[i] - '0';
            if (digit < 0 || digit > 9 || result < -922_337_203_685_477_580L
                    || (result == -922_337_203_685_477_580L && digit > 8)) {
                throw new NumberFormatException("not a 64-bit integer: \"" + ascii(b, off, len) + "\"");
            }
            result = result * 10 - digit;
        }
        if (!negative) {
            if (result == Long.MIN_VALUE) {
                throw new NumberFormatException("not a 64-bit integer: \"" + ascii(b, off, len) + "\"");
            }
            return -result;
        }
        return result;
    }

    private static Integer toInt(long value, int min, int max, byte[] b, int off, int len) {
        if (value < min || value > max) {
            throw new NumberFormatException("out of range: \"" + ascii(b, off, len) + "\"");
        }
        return (int) value;
    }

    private static Object decodeNumeric(byte[] b, int off, int len) {
        if (len > 0) {
            byte first = b[off];
            if (first == 'N') {
                return SpecialValue.NAN;
            }
            if (first == 'I' || (first == '+' && len > 1 && b[off + 1] == 'I')) {
                return SpecialValue.POSITIVE_INFINITY;
            }
            if (first == '-' && len > 1 && b[off + 1] == 'I') {
                return SpecialValue.NEGATIVE_INFINITY;
            }
        }
        char[] chars = new char[len];
        for (int i = 0; i < len; i++) {
            chars[i] = (char) b[off + i];
        }
        return new BigDecimal(chars);
    }

    /**
     * {@code money} as written by {@code cash_out}: currency symbol, group separators, a decimal
     * separator and a sign ({@code -$1,234.56}; {@code ($1.00)} and {@code 1.234,56 €} in other
     * locales; the replication session uses {@code lc_monetary = C}). Digits are kept; the decimal
     * separator is the last {@code .} or {@code ,} unless exactly three digits follow it (a group).
     */
    private static Object decodeMoney(byte[] b, int off, int len) {
        String text = new String(b, off, len, StandardCharsets.UTF_8);
        boolean negative = text.indexOf('-') >= 0 || text.indexOf('(') >= 0;
        int decimalAt = Math.max(text.lastIndexOf('.'), text.lastIndexOf(','));
        if (decimalAt >= 0 && countDigits(text, decimalAt + 1) == 3) {
            decimalAt = -1;
        }
        StringBuilder digits = new StringBuilder(text.length());
        int scale = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
                if (decimalAt >= 0 && i > decimalAt) {
                    scale++;
                }
            }
        }
        if (digits.length() == 0) {
            throw new NumberFormatException("not a money value: \"" + text + "\"");
        }
        BigDecimal value = new BigDecimal(new java.math.BigInteger(digits.toString()), scale);
        return negative ? value.negate() : value;
    }

    private static int countDigits(String text, int from) {
        int count = 0;
        for (int i = from; i < text.length(); i++) {
            if (Character.isDigit(text.charAt(i))) {
                count++;
            }
        }
        return count;
    }

    private static Object decodeBytea(byte[] b, int off, int len) {
        if (len >= 2 && b[off] == '\\' && b[off + 1] == 'x') {
            int count = (len - 2) / 2;
            byte[] out = new byte[count];
            for (int i = 0; i < count; i++) {
                out[i] = (byte) (hex(b[off + 2 + 2 * i]) << 4 | hex(b[off + 3 + 2 * i]));
            }
            return out;
        }
        // bytea_output = escape: printable bytes as is, \\ for a backslash, \ooo octal for the rest
        byte[] out = new byte[len];
        int n = 0;
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (b[i] != '\\') {
                out[n++] = b[i];
            } else if (i + 1 < end && b[i + 1] == '\\') {
                out[n++] = '\\';
                i++;
            } else if (i + 3 < end) {
                out[n++] = (byte) ((b[i + 1] - '0') << 6 | (b[i + 2] - '0') << 3 | (b[i + 3] - '0'));
                i += 3;
            } else {
                throw new IllegalArgumentException("bad bytea escape in \"" + ascii(b, off, len) + "\"");
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static Object decodeUuid(byte[] b, int off, int len) {
        if (len != 36 || b[off + 8] != '-' || b[off + 13] != '-' || b[off + 18] != '-' || b[off + 23] != '-') {
            throw new IllegalArgumentException("not a uuid: \"" + ascii(b, off, len) + "\"");
        }
        long most = hexDigits(b, off, 8) << 32 | hexDigits(b, off + 9, 4) << 16 | hexDigits(b, off + 14, 4);
        long least = hexDigits(b, off + 19, 4) << 48 | hexDigits(b, off + 24, 12);
        return new UUID(most, least);
    }

    private static long hexDigits(byte[] b, int off, int count) {
        long value = 0;
        for (int i = 0; i < count; i++) {
            value = value << 4 | hex(b[off + i]);
        }
        return value;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        throw new IllegalArgumentException("not a hexadecimal digit: '" + (char) c + "'");
    }

    /** The bytes as a string, for values that are ASCII by construction (numbers) and for messages. */
    static String ascii(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }
}
