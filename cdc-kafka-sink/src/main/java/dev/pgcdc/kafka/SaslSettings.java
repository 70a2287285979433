package dev.pgcdc.kafka;

import java.util.Objects;

/**
 * SASL authentication to the Kafka brokers ({@code pgcdc.kafka.sasl}): SCRAM-SHA-256, SCRAM-SHA-512
 * or PLAIN with a user name and password. Over a plain connection unless TLS is enabled too (then
 * {@code SASL_SSL}). The password is never printed.
 *
 * @param mechanism the mechanism, or null for no SASL
 * @param username  the user, required with a mechanism
 * @param password  the password, required with a mechanism
 */
public record SaslSettings(Mechanism mechanism, String username, String password) {

    private static final SaslSettings NONE = new SaslSettings(null, null, null);

    /** The SASL mechanisms pgcdc configures. */
    public enum Mechanism {
        SCRAM_SHA_256("SCRAM-SHA-256"),
        SCRAM_SHA_512("SCRAM-SHA-512"),
        PLAIN("PLAIN");

        private final String kafkaName;

        Mechanism(String kafkaName) {
            this.kafkaName = kafkaName;
        }

        /** The name Kafka's {@code sasl.mechanism} uses, which is also the configuration spelling. */
        public String kafkaName() {
            return kafkaName;
        }
    }

    /** No SASL: the default. */
    public static SaslSettings none() {
        return NONE;
    }

    public static SaslSettings of(Mechanism mechanism, String username, String password) {
        return new SaslSettings(Objects.requireNonNull(mechanism, "mechanism"), username, password);
    }

    public boolean enabled() {
        return mechanism != null;
    }

    @Override
    public String toString() {
        return "SaslSettings[mechanism=" + (mechanism == null ? "none" : mechanism.kafkaName()) + ", username=" + username
                + ", password=" + (password == null ? "null" : "******") + "]";
    }
}
