package dev.pgcdc.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import dev.pgcdc.api.plugin.PluginConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** This module's {@code reference.conf} holds the json handler's keys with the defaults of {@link JsonHandlerSettings}, and its commented examples are valid keys too. */
class ReferenceConfTest {

    @Test
    void jsonHandlerDefaultsEqualTheBuilderDefaults() throws IOException {
        Config reference = ConfigFactory.parseString(referenceText(), ConfigParseOptions.defaults().setAllowMissing(false)).resolve();

        assertThat(JsonHandlerSettings.from(section(reference))).isEqualTo(JsonHandlerSettings.defaults());
    }

    @Test
    void commentedExamplesAreKnownKeys() throws IOException {
        // uncomment every "# key = value" line: the result must still be read without an unknown key
        String uncommented = Pattern.compile("(?m)^(\\s*)# ([a-z-]+ = .*)$").matcher(referenceText()).replaceAll("$1$2");

        JsonHandlerSettings json = JsonHandlerSettings.from(section(ConfigFactory.parseString(uncommented).resolve()));

        assertThat(json.messageTopic()).isEqualTo("pgcdc.messages");
        assertThat(json.debeziumDatabase()).isEqualTo("inventory");
    }

    @Test
    void theFileHoldsOnlyTheHandlersSection() throws IOException {
        Config reference = ConfigFactory.parseString(referenceText()).resolve();

        assertThat(reference.root().keySet()).containsExactly("pgcdc");
        assertThat(reference.getConfig("pgcdc").root().keySet()).containsExactly("handler");
        assertThat(reference.getConfig("pgcdc.handler").root().keySet()).containsExactly("json");
    }

    private static PluginConfig section(Config config) {
        return new PluginConfig("pgcdc.handler.json", config.getConfig("pgcdc.handler.json").root().unwrapped());
    }

    /** This module's own file: the first {@code reference.conf} on the class path is target/classes. */
    private static String referenceText() throws IOException {
        try (InputStream in = ReferenceConfTest.class.getClassLoader().getResourceAsStream("reference.conf")) {
            assertThat(in).as("reference.conf of cdc-json-handler").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
