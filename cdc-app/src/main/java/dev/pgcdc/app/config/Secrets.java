package dev.pgcdc.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which configuration keys hold secrets, and how their values are shown: never. The one rule of
 * cdc-app, applied at every depth of every value it prints about a configuration: a secret key masks
 * its whole value (an object or list under it too), and objects and lists are searched for secret
 * keys inside them. For text that did not come from cdc-app (an adapter's problem, a library's
 * message), {@link #redactor} masks the values the configuration holds under secret keys. Stateless.
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

    /** {@code value} (at {@code path}) rendered on one line, every secret in it masked. */
    public static String render(String path, ConfigValue value) {
        return isSecret(path) ? MASK : masked(path, value).render(ConfigRenderOptions.concise());
    }

    /**
     * {@code value} (at {@code path}; empty for the root) with the value of every secret key in it,
     * at any depth, replaced by {@link #MASK}; the whole of it when {@code path} itself is secret.
     */
    public static ConfigValue masked(String path, ConfigValue value) {
        if (!path.isEmpty() && isSecret(path)) {
            return ConfigValueFactory.fromAnyRef(MASK);
        }
        if (value instanceof ConfigObject object) {
            ConfigObject result = object;
            for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
                ConfigValue child = masked(child(path, entry.getKey()), entry.getValue());
                if (child != entry.getValue()) {
                    result = result.withValue(entry.getKey(), child);
                }
            }
            return result;
        }
        if (value instanceof ConfigList list) {
            List<ConfigValue> elements = new ArrayList<>(list.size());
            boolean changed = false;
            for (ConfigValue element : list) {
                ConfigValue maskedElement = masked(path, element); // an element stands under its list's key
                changed |= maskedElement != element;
                elements.add(maskedElement);
            }
            return changed ? ConfigValueFactory.fromIterable(elements) : list;
        }
        return value;
    }

    /**
     * A function that masks, in any text, each value {@code config} holds under a secret key where it
     * stands as a word of its own (not inside a longer name), longest first: the second line of
     * defence for messages cdc-app did not compose itself.
     */
    public static java.util.function.UnaryOperator<String> redactor(Config config) {
        TreeSet<String> secrets = new TreeSet<>(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
        collectSecrets("", config.root(), false, secrets);
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

    private static void collectSecrets(String path, ConfigValue value, boolean underSecret, TreeSet<String> into) {
        boolean secret = underSecret || !path.isEmpty() && isSecret(path);
        if (value instanceof ConfigObject object) {
            object.forEach((key, child) -> collectSecrets(child(path, key), child, secret, into));
        } else if (value instanceof ConfigList list) {
            list.forEach(element -> collectSecrets(path, element, secret, into));
        } else if (secret && value.valueType() != ConfigValueType.NULL) {
            String plain = String.valueOf(value.unwrapped());
            String rendered = value.render(ConfigRenderOptions.concise());
            for (String form : List.of(plain, rendered, rendered.length() > 1 && rendered.startsWith("\"") && rendered.endsWith("\"")
                    ? rendered.substring(1, rendered.length() - 1) : rendered)) {
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

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + '.' + key;
    }
}
