package dev.pgcdc.postgres.connection;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Locale;
import java.util.Properties;

/**
 * A client certificate for PostgreSQL's {@code cert} authentication (or {@code clientcert=verify-full}
 * in {@code pg_hba.conf}), given to pgjdbc on every connection as {@code sslcert}, {@code sslkey} and
 * {@code sslpassword}. pgjdbc reads the key as PKCS-8 DER ({@code .pk8}, optionally encrypted) or as a
 * PKCS-12 file ({@code .p12}, {@code .pfx}) that holds the certificate too under the alias {@code user}
 * (what pgjdbc looks up); it does not read a PEM key.
 * Immutable; {@link #toString()} masks the password.
 *
 * @param certificate the client certificate (PEM or DER), null when the key is a PKCS-12 file holding it
 * @param key         the private key: PKCS-8 DER or PKCS-12
 * @param keyPassword the password of an encrypted key or of the PKCS-12 file, or null
 */
public record ClientCertificate(Path certificate, Path key, String keyPassword) {

    public ClientCertificate {
        if (key == null) {
            throw new IllegalArgumentException("a client certificate needs its key file");
        }
        if (certificate == null && !isPkcs12(key)) {
            throw new IllegalArgumentException("the key file " + key + " is not PKCS-12 (.p12, .pfx), so the certificate file is needed too");
        }
    }

    /** Whether pgjdbc reads {@code key} as PKCS-12: by its name, as pgjdbc decides. */
    public static boolean isPkcs12(Path key) {
        String name = key.getFileName() == null ? "" : key.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".p12") || name.endsWith(".pfx");
    }

    /**
     * Why pgjdbc could not use the PKCS-12 file {@code key} with {@code password}, or null when it can:
     * the file must open with the password and hold its key and certificate under the alias
     * {@code user}, the one pgjdbc reads (without it pgjdbc sends no certificate, silently).
     */
    public static String pkcs12Problem(Path key, String password) {
        try (InputStream in = Files.newInputStream(key)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password == null ? new char[0] : password.toCharArray());
            if (!store.isKeyEntry("user")) {
                return "holds no key under the alias \"user\", the one pgjdbc reads (it holds " + Collections.list(store.aliases())
                        + "); export it with openssl pkcs12 -export -name user -in client.crt -inkey client.key -out client.p12";
            }
            return null;
        } catch (IOException | GeneralSecurityException e) {
            return "cannot be opened as PKCS-12 with the password of ssl-password (" + e.getMessage() + ")";
        }
    }

    /** Puts pgjdbc's {@code sslcert}, {@code sslkey} and {@code sslpassword} into {@code properties}. */
    void applyTo(Properties properties) {
        if (certificate != null) {
            properties.setProperty("sslcert", certificate.toString());
        }
        properties.setProperty("sslkey", key.toString());
        if (keyPassword != null) {
            properties.setProperty("sslpassword", keyPassword);
        }
    }

    @Override
    public String toString() {
        return "ClientCertificate[certificate=" + certificate + ", key=" + key + ", keyPassword=" + (keyPassword == null ? "<none>" : "******")
                + "]";
    }
}
