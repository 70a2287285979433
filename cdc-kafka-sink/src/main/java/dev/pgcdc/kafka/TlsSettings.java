package dev.pgcdc.kafka;

import java.nio.file.Path;

/**
 * TLS to the Kafka brokers ({@code pgcdc.kafka.tls}). The CA file is PEM and may hold several
 * certificates (a root and its intermediates); without it the JVM's default trust store is used.
 * The optional client certificate (PEM, leaf first, then its chain) and its PKCS#8 key (PEM,
 * optionally encrypted with {@code clientKeyPassword}) enable mutual TLS.
 *
 * @param enabled           whether to use TLS at all
 * @param caFile            PEM file of the trusted CA certificates, or null for the JVM's trust store
 * @param clientCertFile    PEM file of the client certificate chain, or null
 * @param clientKeyFile     PEM file of the client's PKCS#8 private key, or null
 * @param clientKeyPassword password of an encrypted client key, or null; never printed
 * @param verifyHostname    whether the broker's certificate must name the host connected to
 */
public record TlsSettings(boolean enabled, Path caFile, Path clientCertFile, Path clientKeyFile, String clientKeyPassword,
                          boolean verifyHostname) {

    private static final TlsSettings DISABLED = new TlsSettings(false, null, null, null, null, true);

    /** No TLS: the default. */
    public static TlsSettings disabled() {
        return DISABLED;
    }

    /** TLS trusting the CA certificates in {@code caFile} (PEM: root and intermediates). */
    public static TlsSettings trusting(Path caFile) {
        return new TlsSettings(true, caFile, null, null, null, true);
    }

    /** These settings plus a client certificate chain and key for mutual TLS. */
    public TlsSettings withClientCertificate(Path certFile, Path keyFile, String keyPassword) {
        return new TlsSettings(true, caFile, certFile, keyFile, keyPassword, verifyHostname);
    }

    /** These settings without checking that the broker's certificate names its host. */
    public TlsSettings withoutHostnameVerification() {
        return new TlsSettings(enabled, caFile, clientCertFile, clientKeyFile, clientKeyPassword, false);
    }

    public boolean hasClientCertificate() {
        return clientCertFile != null;
    }

    @Override
    public String toString() {
        return "TlsSettings[enabled=" + enabled + ", caFile=" + caFile + ", clientCertFile=" + clientCertFile
                + ", clientKeyFile=" + clientKeyFile + ", clientKeyPassword=" + (clientKeyPassword == null ? "null" : "******")
                + ", verifyHostname=" + verifyHostname + "]";
    }
}
