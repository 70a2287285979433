package dev.pgcdc.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Temporary directories of running servers, under {@code ${java.io.tmpdir}/pgcdc-testkit}. Each
 * records the test JVM that owns it and the server PID started in it, so that the first fixture of
 * a later run can clean up after a test JVM that died without its shutdown hook (kill -9): it
 * kills that run's leftover server, if any, and deletes the directory. Thread-safe.
 */
public final class ScratchDirectories {
    private static final String OWNER_FILE = "owner.pid";
    private static final String CHILD_FILE = "child.pid";
    private static boolean reaped;

    private ScratchDirectories() {
    }

    /** A new empty directory named {@code prefix-<random>}, readable and traversable by everyone. */
    public static Path create(String prefix) {
        try {
            Path root = Path.of(System.getProperty("java.io.tmpdir"), "pgcdc-testkit");
            Files.createDirectories(root);
            reapAbandoned(root);
            Path directory = Files.createTempDirectory(root, prefix + "-");
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(directory.resolve(OWNER_FILE), identity(ProcessHandle.current()));
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch directory", e);
        }
    }

    /** Records the server started in {@code directory}, for the clean-up of an abandoned run. */
    public static void recordChild(Path directory, ChildProcess child) {
        ProcessHandle.of(child.pid()).ifPresent(handle -> {
            try {
                Files.writeString(directory.resolve(CHILD_FILE), identity(handle));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Deletes {@code directory} and everything in it; missing files are fine. */
    public static void delete(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + directory, e);
        }
    }

    private static synchronized void reapAbandoned(Path root) throws IOException {
        if (reaped) {
            return;
        }
        reaped = true;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path directory : entries) {
                if (Files.isDirectory(directory) && isAbandoned(directory)) {
                    running(directory.resolve(CHILD_FILE)).ifPresent(ProcessHandle::destroyForcibly);
                    try {
                        delete(directory);
                    } catch (UncheckedIOException e) {
                        // owned by someone else, or in use: not ours to force
                    }
                }
            }
        }
    }

    private static boolean isAbandoned(Path directory) {
        return Files.exists(directory.resolve(OWNER_FILE)) && running(directory.resolve(OWNER_FILE)).isEmpty();
    }

    /** The process a pid file names, if it still runs (same PID and same start time). */
    private static Optional<ProcessHandle> running(Path pidFile) {
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            String[] parts = Files.readString(pidFile, StandardCharsets.UTF_8).trim().split(" ", 2);
            return ProcessHandle.of(Long.parseLong(parts[0]))
                    .filter(ProcessHandle::isAlive)
                    .filter(handle -> identity(handle).equals(String.join(" ", parts)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String identity(ProcessHandle handle) {
        return handle.pid() + " " + handle.info().startInstant().map(Object::toString).orElse("?");
    }
}
