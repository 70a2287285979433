package dev.pgcdc.api.config;

import java.time.Duration;
import java.util.Locale;

/** Parses the duration and size spellings configuration accepts (HOCON's). */
final class Quantities {

    private Quantities() {
    }

    /** The duration, or null when the text is not one. */
    static Duration parseDuration(String text) {
        String[] split = split(text);
        if (split == null) {
            return null;
        }
        long amount = Long.parseLong(split[0]);
        return switch (split[1]) {
            case "", "ms", "milli", "millis", "millisecond", "milliseconds" -> Duration.ofMillis(amount);
            case "ns", "nano", "nanos", "nanosecond", "nanoseconds" -> Duration.ofNanos(amount);
            case "us", "micro", "micros", "microsecond", "microseconds" -> Duration.ofNanos(amount * 1000);
            case "s", "second", "seconds" -> Duration.ofSeconds(amount);
            case "m", "minute", "minutes" -> Duration.ofMinutes(amount);
            case "h", "hour", "hours" -> Duration.ofHours(amount);
            case "d", "day", "days" -> Duration.ofDays(amount);
            default -> null;
        };
    }

    /** The number of bytes, or null when the text is not a size. */
    static Long parseBytes(String text) {
        String[] split = split(text);
        if (split == null) {
            return null;
        }
        long amount = Long.parseLong(split[0]);
        long unit = switch (split[1]) {
            case "", "b", "byte", "bytes" -> 1L;
            // as in HOCON: a bare letter is a power of two, "kB" and the like powers of ten
            case "kb", "kilobyte", "kilobytes" -> 1000L;
            case "k", "ki", "kib", "kibibyte", "kibibytes" -> 1024L;
            case "mb", "megabyte", "megabytes" -> 1000L * 1000;
            case "m", "mi", "mib", "mebibyte", "mebibytes" -> 1024L * 1024;
            case "gb", "gigabyte", "gigabytes" -> 1000L * 1000 * 1000;
            case "g", "gi", "gib", "gibibyte", "gibibytes" -> 1024L * 1024 * 1024;
            default -> -1L;
        };
        return unit < 0 ? null : amount * unit;
    }

    /** {number, lower-case unit} or null. */
    private static String[] split(String text) {
        String trimmed = text.trim();
        int i = 0;
        while (i < trimmed.length() && Character.isDigit(trimmed.charAt(i))) {
            i++;
        }
        if (i == 0 || i > 18) {
            return null;
        }
        return new String[] {trimmed.substring(0, i), trimmed.substring(i).trim().toLowerCase(Locale.ROOT)};
    }
}
