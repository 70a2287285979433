package dev.pgcdc.testkit.kafka;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A user the SASL client listener of a {@link KafkaBroker} accepts: SCRAM credentials, which the
 * broker stores when its log directory is formatted, or a PLAIN user, which lives in the listener's
 * JAAS configuration ({@code user_<name>="<password>"}).
 *
 * @param mechanism {@code SCRAM-SHA-256}, {@code SCRAM-SHA-512} or {@code PLAIN}
 * @param name      letters, digits and {@code . _ - @} (it becomes a JAAS option name with PLAIN)
 * @param password  anything but {@code , ] " \} (the storage tool's and JAAS's separators)
 */
record SaslUser(String mechanism, String name, String password) {
    static final String PLAIN = "PLAIN";
    static final Set<String> SCRAM = Set.of("SCRAM-SHA-256", "SCRAM-SHA-512");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]+");
    private static final Pattern PASSWORD = Pattern.compile("[^,\\]\"\\\\]+");

    SaslUser {
        if (!mechanism.equals(PLAIN) && !SCRAM.contains(mechanism)) {
            throw new IllegalArgumentException("SASL mechanism " + mechanism
                    + " is not one the test kit configures: SCRAM-SHA-256, SCRAM-SHA-512 (withScram) or PLAIN (withPlain)");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("SASL user name \"" + name + "\": use letters, digits and . _ - @ only");
        }
        if (!PASSWORD.matcher(password).matches()) {
            throw new IllegalArgumentException("the password of SASL user " + name + " must not be empty nor contain , ] \" or \\");
        }
    }

    boolean isScram() {
        return SCRAM.contains(mechanism);
    }

    /** The {@code kafka-storage format --add-scram} argument that creates this user. */
    String scramSpecification() {
        return mechanism + "=[name=" + name + ",password=" + password + "]";
    }

    /** A client's {@code sasl.jaas.config} for these credentials. */
    static String clientJaasConfig(String mechanism, String user, String password) {
        String module = mechanism.equals(PLAIN) ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=\"" + user + "\" password=\"" + password + "\";";
    }

    /** The listener's {@code <mechanism>.sasl.jaas.config}: SCRAM reads the users from the metadata log, PLAIN from here. */
    static String brokerJaasConfig(String mechanism, List<SaslUser> users) {
        if (!mechanism.equals(PLAIN)) {
            return "org.apache.kafka.common.security.scram.ScramLoginModule required;";
        }
        return users.stream().filter(user -> user.mechanism().equals(PLAIN))
                .map(user -> " user_" + user.name() + "=\"" + user.password() + "\"")
                .collect(Collectors.joining("", "org.apache.kafka.common.security.plain.PlainLoginModule required", ";"));
    }
}
