package dev.pgcdc.api.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongFunction;

/** The built-in {@link SettingType}s behind {@link Setting}'s factories. Strict: a list or object is never taken as text. */
final class SettingTypes {

    static final String DURATION_ALLOWED = "allowed: a duration such as 500ms, 30s or 2m";
    static final String SIZE_ALLOWED = "allowed: a size such as 1048576, 512KiB or 64MiB";

    private SettingTypes() {
    }

    /** A scalar (string, number, boolean) as text, or null after a problem for a list or object. */
    static String scalar(String key, Object raw, Problems problems, String what) {
        if (raw instanceof Map<?, ?> || raw instanceof List<?>) {
            problems.bad(key, raw, "is not " + what);
            return null;
        }
        return String.valueOf(raw);
    }

    static final SettingType<String> STRING = (key, raw, problems) -> {
        String text = scalar(key, raw, problems, "a string");
        return text == null || text.isBlank() ? null : text;
    };

    static final SettingType<Long> LONG = (key, raw, problems) -> {
        if (raw instanceof Number number && !(raw instanceof Double || raw instanceof Float)) {
            return number.longValue();
        }
        String text = scalar(key, raw, problems, "a whole number");
        if (text == null) {
            return null;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            problems.bad(key, raw, "is not a whole number");
            return null;
        }
    };

    static final SettingType<Integer> INTEGER = (key, raw, problems) -> {
        Long value = LONG.parse(key, raw, problems);
        if (value == null) {
            return null;
        }
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            problems.bad(key, raw, "is out of range for a 32-bit number");
            return null;
        }
        return value.intValue();
    };

    static final SettingType<Boolean> BOOLEAN = (key, raw, problems) -> {
        if (raw instanceof Boolean b) {
            return b;
        }
        String text = raw instanceof Map<?, ?> || raw instanceof List<?> ? "" : String.valueOf(raw).trim().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                problems.bad(key, raw, "is not a boolean; allowed: true, false");
                yield null;
            }
        };
    };

    /**
     * A quantity written either as a whole number in its base unit ({@code ofNumber}: milliseconds,
     * bytes) or as text with a unit ({@code ofText}, null when the text is not one); null after the
     * problem {@code notOne} otherwise.
     */
    private static <T> T quantity(String key, Object raw, Problems problems, LongFunction<T> ofNumber, Function<String, T> ofText,
            String notOne) {
        if (raw instanceof Number n && !(raw instanceof Double || raw instanceof Float)) {
            return ofNumber.apply(n.longValue());
        }
        T parsed = raw instanceof String text ? ofText.apply(text) : null;
        if (parsed == null) {
            problems.bad(key, raw, notOne);
        }
        return parsed;
    }

    static final SettingType<Duration> DURATION = new SettingType<>() {
        @Override
        public Duration parse(String key, Object raw, Problems problems) {
            return quantity(key, raw, problems, Duration::ofMillis, Quantities::parseDuration, "is not a duration; " + DURATION_ALLOWED);
        }

        @Override
        public String render(Duration value) {
            if (value.toNanos() % 1_000_000 != 0) {
                return value.toNanos() + "ns";
            }
            long millis = value.toMillis();
            return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
        }
    };

    static final SettingType<Long> BYTES = new SettingType<>() {
        @Override
        public Long parse(String key, Object raw, Problems problems) {
            return quantity(key, raw, problems, Long::valueOf, Quantities::parseBytes, "is not a size; " + SIZE_ALLOWED);
        }

        @Override
        public String render(Long value) {
            if (value != 0 && value % (1L << 30) == 0) {
                return value / (1L << 30) + "GiB";
            }
            if (value != 0 && value % (1L << 20) == 0) {
                return value / (1L << 20) + "MiB";
            }
            if (value != 0 && value % (1L << 10) == 0) {
                return value / (1L << 10) + "KiB";
            }
            return String.valueOf(value);
        }
    };

    static final SettingType<List<String>> STRING_LIST = new SettingType<>() {
        @Override
        public List<String> parse(String key, Object raw, Problems problems) {
            List<?> elements = raw instanceof List<?> list ? list : List.of(raw);
            List<String> strings = new ArrayList<>(elements.size());
            for (int i = 0; i < elements.size(); i++) {
                String element = scalar(key + "[" + i + "]", elements.get(i), problems, "a string");
                if (element == null) {
                    return null;
                }
                strings.add(element);
            }
            return List.copyOf(strings);
        }

        @Override
        public String render(List<String> value) {
            return "[" + String.join(", ", value) + "]";
        }
    };

    static final SettingType<Path> PATH = (key, raw, problems) -> {
        String text = STRING.parse(key, raw, problems);
        if (text == null) {
            return null;
        }
        try {
            return Path.of(text.trim());
        } catch (InvalidPathException e) {
            problems.bad(key, raw, "is not a path: " + e.getMessage());
            return null;
        }
    };

    static final SettingType<Path> FILE = (key, raw, problems) -> {
        Path path = PATH.parse(key, raw, problems);
        if (path != null && (!Files.isRegularFile(path) || !Files.isReadable(path))) {
            problems.bad(key, raw, "is not a readable file");
            return null;
        }
        return path;
    };

    /** A readable file whose text, one trailing line break removed, is the value (a mounted secret); empty is a problem. */
    static final SettingType<String> SECRET_FILE = (key, raw, problems) -> {
        Path path = FILE.parse(key, raw, problems);
        if (path == null) {
            return null;
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.bad(key, raw, "cannot be read as UTF-8 text (" + e.getClass().getSimpleName() + ")");
            return null;
        }
        String secret = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (secret.isEmpty()) {
            problems.bad(key, raw, "is an empty file; it must hold the secret");
            return null;
        }
        return secret;
    };

    static final SettingType<Map<String, String>> OBJECT = new SettingType<>() {
        @Override
        public Map<String, String> parse(String key, Object raw, Problems problems) {
            if (!(raw instanceof Map<?, ?> map)) {
                problems.bad(key, raw, "is not an object; allowed: { key = value, ... }");
                return null;
            }
            Map<String, String> flat = new LinkedHashMap<>();
            flatten(key, "", map, flat, problems);
            return flat;
        }

        @Override
        public String render(Map<String, String> value) {
            return value.isEmpty() ? "{}" : Secrets.render("", value);
        }
    };

    static final SettingType<Map<String, Object>> SECTION = (key, raw, problems) -> {
        if (!(raw instanceof Map<?, ?> map)) {
            problems.bad(key, raw, "is not a section; allowed: an object { key = value, ... }");
            return null;
        }
        Map<String, Object> section = new LinkedHashMap<>();
        map.forEach((k, v) -> section.put(String.valueOf(k), v));
        return section;
    };

    private static void flatten(String key, String prefix, Map<?, ?> map, Map<String, String> into, Problems problems) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String name = prefix.isEmpty() ? String.valueOf(entry.getKey()) : prefix + '.' + entry.getKey();
            Object value = entry.getValue();
            if (value instanceof Map<?, ?> nested) {
                flatten(key, name, nested, into, problems);
            } else if (value instanceof List<?>) {
                problems.bad(key + ".\"" + name + "\"", value, "must be a single value, not a list");
            } else if (value != null) {
                into.put(name, value.toString());
            }
        }
    }

    /** One of a list of values, each spelled as {@code name} gives, compared without case. */
    record Choice<E>(List<E> values, Function<E, String> name) implements SettingType<E> {
        @Override
        public E parse(String key, Object raw, Problems problems) {
            String text = scalar(key, raw, problems, "one of " + allowed());
            if (text == null) {
                return null;
            }
            for (E value : values) {
                if (normalized(name.apply(value)).equals(normalized(text))) {
                    return value;
                }
            }
            Optional<String> suggestion = Suggestions.closest(text.trim(), values.stream().map(name).toList());
            problems.bad(key, raw, "is not allowed; allowed: " + allowed() + suggestion.map(s -> " (did you mean " + s + "?)").orElse(""));
            return null;
        }

        /** Case, surrounding blanks and the difference of '-' and '_' ignored: {@code VERIFY_FULL} is {@code verify-full}. */
        private static String normalized(String text) {
            return text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        private String allowed() {
            return String.join(", ", values.stream().map(name).toList());
        }

        @Override
        public String render(E value) {
            return name.apply(value);
        }
    }
}
