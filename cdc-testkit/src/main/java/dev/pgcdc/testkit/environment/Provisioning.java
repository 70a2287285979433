package dev.pgcdc.testkit.environment;

/** Where a fixture's server comes from, in the order the test kit tries them. */
public enum Provisioning {
    /** An instance named by an environment variable, such as {@code PGCDC_IT_POSTGRES_URL}. */
    EXTERNAL("external"),
    /** A container started by Testcontainers, when a Docker engine is reachable. */
    TESTCONTAINERS("Testcontainers"),
    /** A child process of the test JVM: PostgreSQL binaries or a Kafka broker JVM. */
    LOCAL_PROCESS("local process");

    private final String label;

    Provisioning(String label) {
        this.label = label;
    }

    /** A short human label, as printed in the start line. */
    public String label() {
        return label;
    }
}
