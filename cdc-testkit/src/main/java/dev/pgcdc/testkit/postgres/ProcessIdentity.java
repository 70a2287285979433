package dev.pgcdc.testkit.postgres;

import dev.pgcdc.testkit.process.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Who PostgreSQL runs as. PostgreSQL refuses to run as root, and builds here run as root, so then
 * it runs in a user namespace ({@code unshare -U}: the process is {@code nobody} inside it, needs no
 * user and no chown), or, where user namespaces are disabled (or
 * {@code -Dpgcdc.it.postgres.run-as=nobody} asks for it), as uid 65534 through {@code setpriv} with
 * its directory handed over to that uid. Both {@code exec}, so the PID started is the server's.
 */
enum ProcessIdentity {
    CURRENT_USER(List.of()),
    USER_NAMESPACE(List.of("unshare", "-U")),
    NOBODY(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));

    private static ProcessIdentity detected;
    private final List<String> wrapper;

    ProcessIdentity(List<String> wrapper) {
        this.wrapper = wrapper;
    }

    /** The identity to use on this machine; decided once per JVM. */
    static synchronized ProcessIdentity forPostgres() {
        if (detected == null) {
            detected = detect();
        }
        return detected;
    }

    /** The commands to put in front of {@code initdb} and {@code postgres}. */
    List<String> wrapper() {
        return wrapper;
    }

    /** Makes {@code directory} (and everything in it) usable by the server's user. */
    void handOver(Path directory) {
        if (this != NOBODY) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            UserPrincipalLookupService users = directory.getFileSystem().getUserPrincipalLookupService();
            var nobody = users.lookupPrincipalByName("65534");
            var nogroup = users.lookupPrincipalByGroupName("65534");
            for (Path path : paths.toList()) {
                Files.setOwner(path, nobody);
                Files.getFileAttributeView(path, PosixFileAttributeView.class).setGroup(nogroup);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hand " + directory + " over to uid 65534", e);
        }
    }

    private static ProcessIdentity detect() {
        if (!isRoot()) {
            return CURRENT_USER;
        }
        if ("nobody".equalsIgnoreCase(System.getProperty("pgcdc.it.postgres.run-as"))) {
            return NOBODY;
        }
        try {
            ChildProcess.run(USER_NAMESPACE.wrapper, List.of("true"), Path.of("/"), Duration.ofSeconds(10));
            return USER_NAMESPACE;
        } catch (RuntimeException e) {
            return NOBODY;
        }
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
