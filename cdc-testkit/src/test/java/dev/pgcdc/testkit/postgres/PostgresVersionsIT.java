package dev.pgcdc.testkit.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every PostgreSQL version in {@code -Dpgcdc.it.postgres.versions} (comma-separated; default
 * {@code 14}, the oldest supported, beside the default 17 the other tests use) starts and decodes
 * with pgoutput. The full matrix: {@code -Dpgcdc.it.postgres.versions=14,15,16,17,18,system}.
 */
class PostgresVersionsIT {

    static Stream<String> versions() {
        return Arrays.stream(System.getProperty("pgcdc.it.postgres.versions", "14").split(","))
                .map(String::trim)
                .filter(version -> !version.isEmpty());
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("versions")
    void startsAndDecodesWithPgoutput(String version) {
        try (PostgresServer server = PostgresServer.builder().version(version).start()) {
            System.out.println("pgcdc-testkit: " + server.description());
            if (!version.equals("system")) {
                assertThat(server.serverVersion()).startsWith(version.split("\\.")[0] + ".");
            }

            byte[] messages = LogicalDecodingProbe.insertAndPeek(server, "row-of-" + version);

            assertThat(new String(messages, UTF_8)).contains("row-of-" + version);
        }
    }
}
