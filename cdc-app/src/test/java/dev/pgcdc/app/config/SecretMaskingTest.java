package dev.pgcdc.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.pgcdc.api.config.Secrets;
import dev.pgcdc.app.Main;
import dev.pgcdc.app.TestConfigs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * No secret reaches what {@code validate} and {@code run} print about a configuration, wherever it
 * stands: under a misspelt key, deep in a section, in a list, as a value of the wrong type, in the
 * effective configuration, or in a problem an adapter reported.
 */
class SecretMaskingTest {

    private static final String SECRET = "hunter2";

    @TempDir
    Path directory;

    @ParameterizedTest
    @ValueSource(strings = {
        "pgcdc { postgress { password = hunter2 } }",
        "pgcdc.kafka.producr { \"sasl.jaas.config\" = \"org.apache.kafka.common.security.plain.PlainLoginModule required username=\\\"u\\\" password=\\\"hunter2\\\";\" }",
        "pgcdc.http.prot = [ { password = hunter2 } ]",
        "pgcdc.http.host = { password = hunter2 }",
        "pgcdc.handler.audit-trial { password = hunter2 }",
        "pgcdc.pipeline.extra { a { b { token = hunter2 } } }",
        "pgcdc.pipeline.extra = [ [ { client-secret = hunter2 } ] ]",
        "pgcdc.kafka.producer { \"sasl.jaas.config\" = [ hunter2 ] }",
        "pgcdc.kafka.producer { sasl.jaas.config = [ hunter2 ] }",
        "pgcdc.kafka.sasl { password = { x = hunter2 } }",
        "pgcdc.postgres.password = { x = hunter2 }",
        "pgcdc.postgres.password = [ hunter2 ]",
        "pgcdc.logging.loggers { \"a.password\" = hunter2 }",
    })
    void validateNeverPrintsASecret(String line) throws IOException {
        assertThat(printed(line, "validate")).doesNotContain(SECRET).doesNotContain("s3cret-pw");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "pgcdc { postgress { password = hunter2 } }",
        "pgcdc.kafka.producer { \"sasl.jaas.config\" = [ hunter2 ] }",
        "pgcdc.http.host = { password = hunter2 }",
    })
    void runNeverPrintsASecretInItsStartUpErrors(String line) throws IOException {
        assertThat(printed(line, "run")).contains("invalid configuration").doesNotContain(SECRET);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "pgcdc.kafka.sasl { password = { x = hunter2 } }",
        "pgcdc.kafka.producer { ssl.keystore.password = hunter2, sasl.jaas.config = \"... password=\\\"hunter2\\\";\" }",
        "pgcdc.postgres.password = [ hunter2 ]",
    })
    void theEffectiveConfigurationMasksSecretsAtEveryDepth(String line) throws IOException {
        assertThat(printed(line, "validate")).doesNotContain(SECRET).contains(Secrets.MASK);
    }

    @Test
    void theRedactorMasksASecretValueStandingAloneButNotInsideALongerName() {
        UnaryOperator<String> redactor = Secrets.redactor(ConfigFactory.parseString(
                "pgcdc.postgres.password = postgres\npgcdc.kafka.producer { \"sasl.jaas.config\" = \"x required password=\\\"pw\\\";\" }")
                .root().unwrapped());

        assertThat(redactor.apply("pgcdc.postgres.host is required; was a list [postgres], or postgres. Or \"postgres\""))
                .isEqualTo("pgcdc.postgres.host is required; was a list [******], or ******. Or ******");
        assertThat(redactor.apply("value x required password=\"pw\"; and x required password=\\\"pw\\\";"))
                .isEqualTo("value ****** and ******");
    }

    /** What {@code pgcdc COMMAND --config FILE} (with {@code --print} for validate) prints for the minimal file plus {@code line}. */
    private String printed(String line, String command) throws IOException {
        Path file = directory.resolve("app.conf");
        Files.writeString(file, TestConfigs.MINIMAL + line + "\n");
        return command.equals("validate") ? execute(command, "--config", file.toString(), "--print")
                : execute(command, "--config", file.toString());
    }

    private static String execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.execute(args);
        return out + "\n" + err;
    }
}
