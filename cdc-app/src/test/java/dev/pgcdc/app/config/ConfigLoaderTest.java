package dev.pgcdc.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import dev.pgcdc.api.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets in a file of their own, as docs/security.md ("Secrets") describes: the configuration ends with
 * {@code include required(file("..."))} of a file a Kubernetes secret is mounted as, whose values win
 * over the main file's; a missing file is an error rather than a silently empty password.
 */
class ConfigLoaderTest {

    private final ConfigLoader loader = new ConfigLoader(getClass().getClassLoader());

    @TempDir
    Path directory;

    @Test
    void anIncludedSecretsFileAtTheEndSetsTheSecretKeys() throws Exception {
        Path secrets = Files.writeString(directory.resolve("secrets.conf"), """
                pgcdc.postgres.password = "from-the-secret"
                pgcdc.kafka.sasl.password = "kafka-secret"
                """);
        Path app = Files.writeString(directory.resolve("app.conf"), """
                pgcdc {
                  postgres { host = db1, database = shop, user = pgcdc, password = "placeholder" }
                }
                include required(file("%s"))
                """.formatted(secrets));

        Config merged = loader.merge(loader.parse(app));

        assertThat(merged.getString("pgcdc.postgres.password")).isEqualTo("from-the-secret");
        assertThat(merged.getString("pgcdc.kafka.sasl.password")).isEqualTo("kafka-secret");
        assertThat(merged.getString("pgcdc.postgres.host")).isEqualTo("db1");
    }

    @Test
    void aMissingRequiredIncludeIsAnErrorNamingTheFile() throws Exception {
        Path absent = directory.resolve("absent.conf");
        Path app = Files.writeString(directory.resolve("app.conf"), "pgcdc.postgres.host = db1\ninclude required(file(\"" + absent + "\"))\n");

        assertThatThrownBy(() -> loader.parse(app)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot read " + app).hasMessageContaining("absent.conf");
    }

    @Test
    void anOptionalIncludeOfAMissingFileLeavesTheKeysAsTheyAre() throws Exception {
        Path app = Files.writeString(directory.resolve("app.conf"), "pgcdc.postgres.password = inline\ninclude file(\""
                + directory.resolve("absent.conf") + "\")\n");

        assertThat(loader.merge(loader.parse(app)).getString("pgcdc.postgres.password")).isEqualTo("inline");
    }
}
