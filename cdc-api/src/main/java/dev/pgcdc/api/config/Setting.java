package dev.pgcdc.api.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One setting, declared once: its key relative to its {@link Section} (dotted for a nested object,
 * {@code tls.enabled}), its type, its default, its validation and one line of documentation. From
 * the declarations come the reading and checking ({@link Section#read}), the defaults and the
 * tables of docs/configuration.md. Immutable and thread-safe; the {@code with}-style methods return
 * a changed copy.
 *
 * <pre>{@code
 * static final Setting<Duration> LINGER = Setting.duration("linger").defaultsTo(Duration.ofMillis(10))
 *         .check(d -> !d.isNegative(), "must not be negative").doc("how long a batch waits to fill");
 * }</pre>
 *
 * @param <T> the type of the value
 */
public final class Setting<T> {

    private final String key;
    private final SettingType<T> type;
    private final T defaultValue;
    private final String requiredHint;
    private final boolean secret;
    private final String doc;
    private final List<Check<T>> checks;

    private record Check<T>(Predicate<T> test, String failure) {
    }

    private Setting(String key, SettingType<T> type, T defaultValue, String requiredHint, boolean secret, String doc, List<Check<T>> checks) {
        this.key = Objects.requireNonNull(key, "key");
        this.type = Objects.requireNonNull(type, "type");
        this.defaultValue = defaultValue;
        this.requiredHint = requiredHint;
        this.secret = secret || Secrets.isSecret(key);
        this.doc = doc;
        this.checks = List.copyOf(checks);
    }

    /** A setting of a type of the module's own. */
    public static <T> Setting<T> of(String key, SettingType<T> type) {
        return new Setting<>(key, type, null, null, false, "", List.of());
    }

    /** Text; numbers and booleans are taken as written, a list or object is an error; blank counts as unset. */
    public static Setting<String> string(String key) {
        return of(key, SettingTypes.STRING);
    }

    /** Text that is never shown: masked in every message and rendering. */
    public static Setting<String> password(String key) {
        return new Setting<>(key, SettingTypes.STRING, null, null, true, "", List.of());
    }

    /** A 32-bit whole number. */
    public static Setting<Integer> integer(String key) {
        return of(key, SettingTypes.INTEGER);
    }

    /** A 64-bit whole number. */
    public static Setting<Long> longInteger(String key) {
        return of(key, SettingTypes.LONG);
    }

    /** true or false (also yes/no, on/off). */
    public static Setting<Boolean> bool(String key) {
        return of(key, SettingTypes.BOOLEAN);
    }

    /** A duration: milliseconds as a number, or {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}. */
    public static Setting<Duration> duration(String key) {
        return of(key, SettingTypes.DURATION);
    }

    /** A size in bytes: a number, or {@code 512KiB}, {@code 10 MiB}, {@code 1GB}. */
    public static Setting<Long> bytes(String key) {
        return of(key, SettingTypes.BYTES);
    }

    /** One of {@code type}'s constants, spelled as {@code configName} gives (case ignored); a misspelling gets a did-you-mean. */
    public static <E extends Enum<E>> Setting<E> choice(String key, Class<E> type, Function<E, String> configName) {
        return of(key, new SettingTypes.Choice<>(List.of(type.getEnumConstants()), configName));
    }

    /** One of {@code allowed}, compared as written. */
    public static Setting<String> oneOf(String key, String... allowed) {
        return of(key, new SettingTypes.Choice<>(List.of(allowed), Function.identity()));
    }

    /** A list of strings; one string is a list of one. An object or a nested list is an error. */
    public static Setting<List<String>> stringList(String key) {
        return of(key, SettingTypes.STRING_LIST);
    }

    /** A file that must exist and be readable. */
    public static Setting<Path> file(String key) {
        return of(key, SettingTypes.FILE);
    }

    /**
     * A secret kept in a file (a Kubernetes secret mounted as a file): the setting names the file, its
     * value is the file's text with one trailing line break removed; never shown. The file must be
     * readable and not empty. Pair it with the inline setting through {@link Values#either}.
     */
    public static Setting<String> secretFile(String key) {
        return new Setting<>(key, SettingTypes.SECRET_FILE, null, null, true, "", List.of());
    }

    /** A file-system path (a directory that may not exist yet). */
    public static Setting<Path> path(String key) {
        return of(key, SettingTypes.PATH);
    }

    /**
     * A free-form object of plain values, flattened to dotted keys ({@code { max.request.size = 1 }}
     * and {@code { "max.request.size" = 1 }} both give {@code max.request.size -> "1"}); its keys are
     * not checked. A list inside is an error.
     */
    public static Setting<Map<String, String>> object(String key) {
        return of(key, SettingTypes.OBJECT);
    }

    /**
     * A nested section that another reader checks with declarations of its own (a plugin's section,
     * a module's section seen from the root): any object, its keys not checked here.
     */
    public static Setting<Map<String, Object>> section(String key) {
        return of(key, SettingTypes.SECTION);
    }

    /** This setting with a default, used when it is unset or its value is bad (the bad value is reported). */
    public Setting<T> defaultsTo(T value) {
        return new Setting<>(key, type, value, requiredHint, secret, doc, checks);
    }

    /** This setting required: unset is a problem ({@code <key> is required}). */
    public Setting<T> required() {
        return required("");
    }

    /** Required, the problem followed by {@code hint} ({@code , e.g. "localhost:9092"}). */
    public Setting<T> required(String hint) {
        return new Setting<>(key, type, defaultValue, hint, secret, doc, checks);
    }

    /** This setting with one line of documentation. */
    public Setting<T> doc(String text) {
        return new Setting<>(key, type, defaultValue, requiredHint, secret, text, checks);
    }

    /** This setting with a check: a value failing {@code test} is reported as {@code <key> = <value> <failure>}. */
    public Setting<T> check(Predicate<T> test, String failure) {
        List<Check<T>> more = new ArrayList<>(checks);
        more.add(new Check<>(test, failure));
        return new Setting<>(key, type, defaultValue, requiredHint, secret, doc, more);
    }

    /** A whole number or size from {@code min} to {@code max}. */
    public Setting<T> between(long min, long max) {
        return check(value -> ((Number) value).longValue() >= min && ((Number) value).longValue() <= max,
                "is out of range; allowed: " + min + " to " + max);
    }

    /** A whole number or size of at least {@code min}. */
    public Setting<T> atLeast(long min) {
        return check(value -> ((Number) value).longValue() >= min, "must be at least " + min);
    }

    /** A duration above zero. */
    public Setting<T> positive() {
        return check(value -> !((Duration) value).isNegative() && !((Duration) value).isZero(), "must be more than zero");
    }

    /** A duration of zero or more. */
    public Setting<T> notNegative() {
        return check(value -> !((Duration) value).isNegative(), "must be zero or more");
    }

    public String key() {
        return key;
    }

    public SettingType<T> type() {
        return type;
    }

    /** The default, or null when there is none. */
    public T defaultValue() {
        return defaultValue;
    }

    public boolean isRequired() {
        return requiredHint != null;
    }

    /** Whether the value is never shown. */
    public boolean isSecret() {
        return secret;
    }

    /** The one line of documentation (empty when none was given). */
    public String doc() {
        return doc;
    }

    /** The default as a configuration file writes it, or null when there is none. */
    public String renderedDefault() {
        return defaultValue == null ? null : type.render(defaultValue);
    }

    /**
     * Checks a typed value (null: unset) under the full key {@code fullKey}, adding a problem for a
     * missing required value and for each failed check, the value shown as a file would write it
     * (text quoted, masked when secret), so reading a file and building in code report alike;
     * true when it passed.
     */
    public boolean check(String fullKey, T value, Problems problems) {
        if (value == null) {
            if (isRequired()) {
                problems.add(fullKey + " is required" + requiredHint);
                return false;
            }
            return true;
        }
        boolean passed = true;
        for (Check<T> check : checks) {
            if (!check.test().test(value)) {
                String shown = secret ? Secrets.MASK : value instanceof String text ? Secrets.render(fullKey, text) : type.render(value);
                problems.add(fullKey + " = " + shown + " " + check.failure());
                passed = false;
            }
        }
        return passed;
    }

    @Override
    public String toString() {
        return "Setting[" + key + "]";
    }
}
