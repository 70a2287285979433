package dev.pgcdc.testkit.kafka;

import dev.pgcdc.testkit.process.ChildProcess;
import dev.pgcdc.testkit.process.ExitCleanup;
import dev.pgcdc.testkit.process.ScratchDirectories;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * TLS material for brokers with a TLS listener, made with {@code keytool} once per test JVM: a CA
 * (its certificate as PEM, what clients trust) and a broker key with a certificate signed by it for
 * {@code dns:localhost, ip:127.0.0.1}, in a PKCS12 key store.
 *
 * @param caCertificatePem the CA certificate, PEM
 * @param keyStore         the broker's PKCS12 key store: its key, its certificate and the CA's
 * @param password         of the key store and of the key
 */
record BrokerCertificates(Path caCertificatePem, Path keyStore, String password) {
    private static final String PASSWORD = "pgcdc-test-secret";
    private static final String VALIDITY_DAYS = "3650";
    private static BrokerCertificates shared;

    static synchronized BrokerCertificates shared() {
        if (shared == null) {
            Path directory = ScratchDirectories.create("kafka-tls");
            ExitCleanup.register(directory, () -> ScratchDirectories.delete(directory));
            shared = create(directory);
        }
        return shared;
    }

    private static BrokerCertificates create(Path directory) {
        Path ca = directory.resolve("ca.p12");
        Path caPem = directory.resolve("ca.pem");
        Path broker = directory.resolve("broker.p12");
        Path request = directory.resolve("broker.csr");
        Path signed = directory.resolve("broker.pem");
        // the CA and the broker key are independent: make them at the same time (each keytool is a JVM)
        Thread caMaker = new Thread(() -> {
            keytool(directory, "-genkeypair", "-alias", "ca", "-dname", "CN=pgcdc test CA", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-ext", "bc:c", "-validity", VALIDITY_DAYS, "-keystore", ca.toString());
            keytool(directory, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-file", caPem.toString());
        }, "pgcdc-testkit-keytool");
        AtomicReference<Throwable> caFailure = new AtomicReference<>();
        caMaker.setUncaughtExceptionHandler((thread, failure) -> caFailure.set(failure));
        caMaker.start();
        keytool(directory, "-genkeypair", "-alias", "broker", "-dname", "CN=localhost", "-keyalg", "EC",
                "-groupname", "secp256r1", "-validity", VALIDITY_DAYS, "-keystore", broker.toString());
        keytool(directory, "-certreq", "-alias", "broker", "-keystore", broker.toString(), "-file", request.toString());
        join(caMaker, caFailure);
        keytool(directory, "-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-infile", request.toString(),
                "-outfile", signed.toString(), "-validity", VALIDITY_DAYS,
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "KU=digitalSignature,keyAgreement", "-ext", "EKU=serverAuth");
        keytool(directory, "-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore", broker.toString());
        keytool(directory, "-importcert", "-noprompt", "-alias", "broker", "-file", signed.toString(), "-keystore", broker.toString());
        return new BrokerCertificates(caPem, broker, PASSWORD);
    }

    private static void join(Thread thread, AtomicReference<Throwable> failure) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making TLS certificates", e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("cannot make the test CA: " + failure.get().getMessage(), failure.get());
        }
    }

    private static void keytool(Path directory, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(arguments));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        ChildProcess.run(List.of(), command, directory, Duration.ofMinutes(1));
    }
}
