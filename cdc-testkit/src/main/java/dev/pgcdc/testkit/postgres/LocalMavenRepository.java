package dev.pgcdc.testkit.postgres;

import dev.pgcdc.testkit.environment.TestEnvironmentException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Artifacts in the local Maven repository ({@code maven.repo.local}, else {@code ~/.m2/repository}),
 * downloaded from the remote repository ({@code pgcdc.it.maven.remote}, else Maven Central) into the
 * same layout when missing, with their SHA-1 checked. Safe for parallel JVMs: a download goes to a
 * temporary file that is moved into place.
 */
final class LocalMavenRepository {
    private static final Logger LOG = LoggerFactory.getLogger(LocalMavenRepository.class);
    private static final String CENTRAL = "https://repo.maven.apache.org/maven2";

    private LocalMavenRepository() {
    }

    /** The path of {@code group:artifact:version} (a jar), downloaded first if missing. */
    static Path jar(String groupId, String artifactId, String version) {
        String relative = groupId.replace('.', '/') + "/" + artifactId + "/" + version + "/"
                + artifactId + "-" + version + ".jar";
        Path local = root().resolve(relative);
        if (Files.isRegularFile(local)) {
            return local;
        }
        String url = remote() + "/" + relative;
        try {
            download(url, local);
            return local;
        } catch (IOException e) {
            throw new TestEnvironmentException("cannot download " + url + " to " + local + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestEnvironmentException("interrupted while downloading " + url, e);
        }
    }

    static Path root() {
        for (String property : new String[] {"maven.repo.local", "localRepository"}) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                return Path.of(value);
            }
        }
        return Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    private static String remote() {
        String value = System.getProperty("pgcdc.it.maven.remote", CENTRAL);
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    private static void download(String url, Path target) throws IOException, InterruptedException {
        long started = System.nanoTime();
        String announcement = "pgcdc-testkit: downloading " + url;
        LOG.info(announcement);
        System.out.println(announcement);
        HttpClient client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .proxy(ProxySelector.getDefault())
                .connectTimeout(Duration.ofSeconds(20))
                .build();
        String expectedSha1 = client.send(request(url + ".sha1"), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .body().trim().split("\\s+")[0];
        Files.createDirectories(target.getParent());
        Path partial = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        try {
            HttpResponse<InputStream> response = client.send(request(url), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            try (InputStream in = new DigestInputStream(response.body(), sha1)) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            String actualSha1 = HexFormat.of().formatHex(sha1.digest());
            if (!actualSha1.equalsIgnoreCase(expectedSha1)) {
                throw new IOException("SHA-1 mismatch: expected " + expectedSha1 + ", got " + actualSha1);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("downloaded {} in {} ms", target, Duration.ofNanos(System.nanoTime() - started).toMillis());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static HttpRequest request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET().build();
    }
}
