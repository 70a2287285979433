package dev.pgcdc.api.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Which configuration keys hold secrets, and how their values are shown: never. The one rule for
 * every module, applied at every depth of every value printed about a configuration: a secret key
 * masks its whole value (an object or list under it too), and objects and lists are searched for
 * secret keys inside them. A setting declared with {@link Setting#password} is secret by its name
 * too. For text composed elsewhere (a library's message), {@link #redactor} masks the values a
 * configuration holds under secret keys. Values are plain Java ones: strings, numbers, booleans,
 * lists and maps. Stateless and thread-safe.
 */
public final class Secrets {

    /** What a secret value is shown as. */
    public static final String MASK = "******";

    private Secrets() {
    }

    /**
     * Whether the key at {@code path} holds a secret: any key whose last part names a password,
     * secret, token, credential, private key or JAAS configuration (Kafka's {@code sasl.jaas.config}),
     * or Kafka's {@code ssl.keystore.key}. Quoted ({@code "sasl.jaas.config"}) and dotted paths alike.
     */
    public static boolean isSecret(String path) {
        String key = path.toLowerCase(Locale.ROOT).replace("\"", "");
        int dot = key.lastIndexOf('.');
        String last = dot < 0 ? key : key.substring(dot + 1);
        return last.contains("password") || last.contains("secret") || last.contains("token") || last.contains("credential")
                || last.contains("private-key") || last.contains("jaas") || key.endsWith("sasl.jaas.config")
                || key.endsWith("ssl.keystore.key");
    }

    /** {@code value} as it may be shown for {@code path}: {@link #MASK} for secrets. */
    public static String show(String path, String value) {
        return isSecret(path) ? MASK : value;
    }

    /**
     * The raw {@code value} at {@code path} on one line as JSON-like text (strings quoted, objects
     * {@code {"k":v}}, lists {@code [a,b]}), every secret in it masked.
     */
    public static String render(String path, Object value) {
        if (!path.isEmpty() && isSecret(path)) {
            return MASK;
        }
        StringBuilder text = new StringBuilder();
        write(text, masked(path, value));
        return text.toString();
    }

    /**
     * {@code value} (at {@code path}; empty for the root) with the value of every secret key in it,
     * at any depth, replaced by {@link #MASK}; the whole of it when {@code path} itself is secret.
     */
    public static Object masked(String path, Object value) {
        if (!path.isEmpty() && isSecret(path)) {
            return MASK;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> result = new LinkedHashMap<>();
            map.forEach((key, child) -> result.put(String.valueOf(key), masked(child(path, String.valueOf(key)), child)));
            return result;
        }
        if (value instanceof List<?> list) {
            List<Object> result = new ArrayList<>(list.size());
            list.forEach(element -> result.add(masked(path, element))); // an element stands under its list's key
            return result;
        }
        return value;
    }

    /**
     * A function that masks, in any text, each value {@code tree} (a configuration as nested maps)
     * holds under a secret key where it stands as a word of its own (not inside a longer name),
     * longest first: the second line of defence for messages composed elsewhere.
     */
    public static UnaryOperator<String> redactor(Map<String, ?> tree) {
        TreeSet<String> secrets = new TreeSet<>(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
        collectSecrets("", tree, false, secrets);
        if (secrets.isEmpty()) {
            return text -> text;
        }
        return text -> {
            String result = text;
            for (String secret : secrets) {
                result = maskWords(result, secret);
            }
            return result;
        };
    }

    private static void collectSecrets(String path, Object value, boolean underSecret, TreeSet<String> into) {
        boolean secret = underSecret || !path.isEmpty() && isSecret(path);
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, child) -> collectSecrets(child(path, String.valueOf(key)), child, secret, into));
        } else if (value instanceof List<?> list) {
            list.forEach(element -> collectSecrets(path, element, secret, into));
        } else if (secret && value != null) {
            String plain = String.valueOf(value);
            StringBuilder rendered = new StringBuilder();
            write(rendered, value);
            String quoted = rendered.toString();
            String escaped = quoted.length() > 1 && quoted.startsWith("\"") && quoted.endsWith("\"") ? quoted.substring(1, quoted.length() - 1) : quoted;
            for (String form : List.of(plain, quoted, escaped)) {
                if (!form.isBlank()) {
                    into.add(form);
                }
            }
        }
    }

    private static String maskWords(String text, String secret) {
        StringBuilder result = new StringBuilder(text.length());
        int copied = 0;
        int at = text.indexOf(secret);
        while (at >= 0) {
            int end = at + secret.length();
            if (!continuesAName(text, at - 1, -1) && !continuesAName(text, end, 1)) {
                result.append(text, copied, at).append(MASK);
                copied = end;
                at = text.indexOf(secret, end);
            } else {
                at = text.indexOf(secret, at + 1);
            }
        }
        return copied == 0 ? text : result.append(text, copied, text.length()).toString();
    }

    /**
     * Whether the character at {@code index}, next to a match in {@code direction}, makes the match
     * part of a longer name (a letter, digit, {@code _}, {@code -}, or a dot between name characters):
     * so that a short secret such as "postgres" is not masked inside "pgcdc.postgres.host".
     */
    private static boolean continuesAName(String text, int index, int direction) {
        if (index < 0 || index >= text.length()) {
            return false;
        }
        char c = text.charAt(index);
        if (c == '.') {
            int beyond = index + direction;
            return beyond >= 0 && beyond < text.length() && Character.isLetterOrDigit(text.charAt(beyond));
        }
        return Character.isLetterOrDigit(c) || c == '_' || c == '-';
    }

    private static void write(StringBuilder text, Object value) {
        if (value instanceof Map<?, ?> map) {
            text.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : new java.util.TreeMap<>(stringKeys(map)).entrySet()) {
                text.append(first ? "" : ",");
                first = false;
                quote(text, String.valueOf(entry.getKey()));
                text.append(':');
                write(text, entry.getValue());
            }
            text.append('}');
        } else if (value instanceof List<?> list) {
            text.append('[');
            for (int i = 0; i < list.size(); i++) {
                text.append(i == 0 ? "" : ",");
                write(text, list.get(i));
            }
            text.append(']');
        } else if (value instanceof String string) {
            quote(text, string);
        } else {
            text.append(value);
        }
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> keys = new LinkedHashMap<>();
        map.forEach((key, value) -> keys.put(String.valueOf(key), value));
        return keys;
    }

    private static void quote(StringBuilder text, String string) {
        text.append('"').append(string.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + '.' + key;
    }
}
