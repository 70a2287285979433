package dev.pgcdc.kafka.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test PKI made with {@code keytool}: a root CA, an intermediate CA signed by it, a broker
 * certificate ({@code localhost}, {@code 127.0.0.1}) and a client certificate, both signed by the
 * intermediate. Gives the broker a PKCS12 key store with its full chain, and the client what
 * {@code pgcdc.kafka.tls} takes: a CA PEM file with root and intermediate, the client's certificate
 * chain as PEM and its key as PKCS#8 PEM.
 */
final class CertificateChain {

    static final String PASSWORD = "pgcdc-chain-secret";

    final Path directory;
    final Path brokerKeyStore;
    final Path caChainPem;
    final Path rootPem;
    final Path clientCertificatePem;
    final Path clientKeyPem;

    private CertificateChain(Path directory) {
        this.directory = directory;
        this.brokerKeyStore = directory.resolve("broker.p12");
        this.caChainPem = directory.resolve("ca-chain.pem");
        this.rootPem = directory.resolve("root.pem");
        this.clientCertificatePem = directory.resolve("client.pem");
        this.clientKeyPem = directory.resolve("client-key.pem");
    }

    static CertificateChain create(Path directory) throws Exception {
        CertificateChain chain = new CertificateChain(directory);
        chain.make();
        return chain;
    }

    private void make() throws Exception {
        Path root = directory.resolve("root.p12");
        Path intermediate = directory.resolve("intermediate.p12");
        Path client = directory.resolve("client.p12");
        keytool("-genkeypair", "-alias", "root", "-dname", "CN=pgcdc test root CA", "-keyalg", "EC", "-groupname", "secp256r1",
                "-ext", "BC:c=ca:true", "-ext", "KU:c=keyCertSign,cRLSign", "-validity", "3650", "-keystore", root.toString());
        keytool("-exportcert", "-rfc", "-alias", "root", "-keystore", root.toString(), "-file", rootPem.toString());

        Path intermediatePem = directory.resolve("intermediate.pem");
        keytool("-genkeypair", "-alias", "intermediate", "-dname", "CN=pgcdc test intermediate CA", "-keyalg", "EC",
                "-groupname", "secp256r1", "-validity", "3650", "-keystore", intermediate.toString());
        signed(intermediate, "intermediate", root, "root", intermediatePem, "-ext", "BC:c=ca:true,pathlen:0", "-ext", "KU:c=keyCertSign,cRLSign");

        Path brokerPem = directory.resolve("broker-cert.pem");
        keytool("-genkeypair", "-alias", "broker", "-dname", "CN=localhost", "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "3650", "-keystore", brokerKeyStore.toString());
        keytool("-importcert", "-noprompt", "-alias", "root", "-file", rootPem.toString(), "-keystore", brokerKeyStore.toString());
        signed(brokerKeyStore, "broker", intermediate, "intermediate", brokerPem,
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth");

        Path clientLeafPem = directory.resolve("client-leaf.pem");
        keytool("-genkeypair", "-alias", "client", "-dname", "CN=pgcdc-client", "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "3650", "-keystore", client.toString());
        keytool("-importcert", "-noprompt", "-alias", "root", "-file", rootPem.toString(), "-keystore", client.toString());
        signed(client, "client", intermediate, "intermediate", clientLeafPem, "-ext", "EKU=clientAuth");

        Files.writeString(caChainPem, Files.readString(intermediatePem) + Files.readString(rootPem));
        exportClient(client);
    }

    /** Signs {@code alias} of {@code store} with {@code signerAlias} of {@code signerStore} and installs the reply with its chain. */
    private void signed(Path store, String alias, Path signerStore, String signerAlias, Path certificatePem, String... extensions)
            throws Exception {
        Path request = directory.resolve(alias + ".csr");
        keytool("-certreq", "-alias", alias, "-keystore", store.toString(), "-file", request.toString());
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", signerAlias, "-keystore", signerStore.toString(),
                "-infile", request.toString(), "-outfile", certificatePem.toString(), "-validity", "3650"));
        gencert.addAll(List.of(extensions));
        keytool(gencert.toArray(String[]::new));
        if (!signerAlias.equals("root")) {
            // the reply's chain: the signer's certificate must be known to the store
            Path signerPem = directory.resolve(signerAlias + ".pem");
            keytool("-importcert", "-noprompt", "-alias", signerAlias, "-file", signerPem.toString(), "-keystore", store.toString());
        } else {
            keytool("-importcert", "-noprompt", "-alias", "root", "-file", rootPem.toString(), "-keystore", store.toString());
        }
        keytool("-importcert", "-noprompt", "-alias", alias, "-file", certificatePem.toString(), "-keystore", store.toString());
    }

    private void exportClient(Path client) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(client)) {
            store.load(in, PASSWORD.toCharArray());
        }
        StringBuilder chain = new StringBuilder();
        for (Certificate certificate : store.getCertificateChain("client")) {
            chain.append(pem("CERTIFICATE", certificate.getEncoded()));
        }
        Files.writeString(clientCertificatePem, chain.toString());
        Files.writeString(clientKeyPem, pem("PRIVATE KEY", store.getKey("client", PASSWORD.toCharArray()).getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private void keytool(String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(arguments));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(Duration.ofMinutes(1).toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new UncheckedIOException(new IOException("keytool " + String.join(" ", arguments) + " failed: "
                    + new String(output, StandardCharsets.UTF_8)));
        }
    }
}
