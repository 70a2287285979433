package dev.pgcdc.app.config;

import java.util.Locale;

/** Which configuration keys hold secrets, and how their values are shown: never. */
public final class Secrets {

    /** What a secret value is shown as. */
    public static final String MASK = "******";

    private Secrets() {
    }

    /**
     * Whether the key at {@code path} holds a secret: any key whose last part names a password,
     * secret, token, credential or private key, and Kafka's {@code sasl.jaas.config}.
     */
    public static boolean isSecret(String path) {
        String key = path.toLowerCase(Locale.ROOT);
        int dot = key.lastIndexOf('.');
        String last = dot < 0 ? key : key.substring(dot + 1);
        return last.contains("password") || last.contains("secret") || last.contains("token") || last.contains("credential")
                || last.contains("private-key") || key.replace("\"", "").endsWith("sasl.jaas.config");
    }

    /** {@code value} as it may be shown for {@code path}: {@link #MASK} for secrets. */
    public static String show(String path, String value) {
        return isSecret(path) ? MASK : value;
    }
}
