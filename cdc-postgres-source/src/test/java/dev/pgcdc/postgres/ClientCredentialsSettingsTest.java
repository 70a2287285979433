package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.postgres.connection.ClientCertificate;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code postgres.password-file} and the client certificate keys: what is read, and every wrong combination named by its key. */
class ClientCredentialsSettingsTest {

    @TempDir
    Path temp;

    @Test
    void thePasswordFileIsReadWithoutItsTrailingLineBreak() throws Exception {
        Path file = Files.writeString(temp.resolve("password"), "s3cret \n");

        PostgresSourceSettings settings = read(Map.of("password-file", file.toString()));

        assertThat(settings.password()).isEqualTo("s3cret ");
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    void aPasswordAndAPasswordFileTogetherAreAnError() throws Exception {
        Path file = Files.writeString(temp.resolve("password"), "s3cret");

        assertThatThrownBy(() -> read(Map.of("password", "other", "password-file", file.toString())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("pgcdc.postgres.password and pgcdc.postgres.password-file are both set; set one");
    }

    @Test
    void anEmptyOrMissingPasswordFileIsAnErrorNamingTheKeyButNotItsValue() throws Exception {
        Path empty = Files.writeString(temp.resolve("empty"), "\n");

        assertThatThrownBy(() -> read(Map.of("password-file", empty.toString()))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("pgcdc.postgres.password-file = ****** is an empty file").hasMessageNotContaining(empty.toString());
        assertThatThrownBy(() -> read(Map.of("password-file", temp.resolve("absent").toString())))
                .hasMessageContaining("pgcdc.postgres.password-file = ****** is not a readable file");
    }

    @Test
    void aCertificateAndItsPkcs8KeyAreGivenToEveryConnection() throws Exception {
        Path cert = Files.writeString(temp.resolve("client.crt"), "-----BEGIN CERTIFICATE-----\n");
        Path key = Files.write(temp.resolve("client.pk8"), new byte[] {0x30, (byte) 0x82, 0x01});
        Path password = Files.writeString(temp.resolve("key-password"), "k\n");

        PostgresSourceSettings settings = read(Map.of("ssl-mode", "verify-full", "ssl-cert", cert.toString(), "ssl-key", key.toString(),
                "ssl-password-file", password.toString()));

        assertThat(settings.clientCertificate()).isEqualTo(new ClientCertificate(cert, key, "k"));
        assertThat(settings.toString()).contains("keyPassword=******").doesNotContain("=k]");
        assertThat(settings.toBuilder().build()).isEqualTo(settings);
    }

    @Test
    void aPkcs12KeyMustOpenWithItsPasswordAndHoldTheEntryPgjdbcReads() throws Exception {
        Path notPkcs12 = Files.write(temp.resolve("broken.p12"), new byte[] {0x30});
        Path empty = temp.resolve("empty.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (OutputStream out = Files.newOutputStream(empty)) {
            store.store(out, "p".toCharArray());
        }

        assertThatThrownBy(() -> read(Map.of("ssl-mode", "require", "ssl-key", notPkcs12.toString(), "ssl-password", "p")))
                .hasMessageContaining("pgcdc.postgres.ssl-key = \"" + notPkcs12 + "\" cannot be opened as PKCS-12");
        assertThatThrownBy(() -> read(Map.of("ssl-mode", "require", "ssl-key", empty.toString(), "ssl-password", "p")))
                .hasMessageContaining("holds no key under the alias \"user\", the one pgjdbc reads (it holds [])");
    }

    @Test
    void everyWrongCombinationIsNamed() throws Exception {
        Path cert = Files.writeString(temp.resolve("client.crt"), "-----BEGIN CERTIFICATE-----\n");
        Path pemKey = Files.writeString(temp.resolve("client.key"), "-----BEGIN PRIVATE KEY-----\n");
        Path derKey = Files.write(temp.resolve("client.pk8"), new byte[] {0x30});

        assertThatThrownBy(() -> read(Map.of("ssl-cert", cert.toString())))
                .hasMessageContaining("pgcdc.postgres.ssl-cert is set without pgcdc.postgres.ssl-key");
        assertThatThrownBy(() -> read(Map.of("ssl-cert", cert.toString(), "ssl-key", pemKey.toString())))
                .hasMessageContaining("pgcdc.postgres.ssl-key = \"" + pemKey + "\" is a PEM file, which pgjdbc cannot read")
                .hasMessageContaining("openssl pkcs8 -topk8 -outform DER");
        assertThatThrownBy(() -> read(Map.of("ssl-key", derKey.toString())))
                .hasMessageContaining("needs pgcdc.postgres.ssl-cert (the client certificate), unless it is a PKCS-12 file");
        assertThatThrownBy(() -> read(Map.of("ssl-mode", "disable", "ssl-cert", cert.toString(), "ssl-key", derKey.toString())))
                .hasMessageContaining("pgcdc.postgres.ssl-mode = disable, but pgcdc.postgres.ssl-key is set");
        assertThatThrownBy(() -> read(Map.of("ssl-password", "p")))
                .hasMessageContaining("pgcdc.postgres.ssl-password is set without pgcdc.postgres.ssl-key");
        assertThatThrownBy(() -> read(Map.of("ssl-cert", temp.resolve("absent.crt").toString(), "ssl-key", derKey.toString())))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
                        "pgcdc.postgres.ssl-cert = \"" + temp.resolve("absent.crt") + "\" is not a readable file"));
    }

    private static PostgresSourceSettings read(Map<String, Object> connection) {
        Map<String, Object> postgres = new LinkedHashMap<>(Map.of("host", "db", "database", "shop", "user", "cdc"));
        postgres.putAll(connection);
        return PostgresSourceSettings.from(new PluginConfig("pgcdc", Map.of("postgres", postgres,
                "publication", Map.of("name", "shop_pub", "tables", List.of("orders")), "slot", Map.of("name", "shop_slot"))));
    }
}
