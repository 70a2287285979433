package dev.pgcdc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every package of cdc-api says in its package-info whether it is stable API or runtime
 * (docs/architecture.md, "Stable API and runtime"): the runtime package says runtime, every other one
 * says stable. Reads the sources, so a new package without its mark fails the build.
 */
class StabilityMarksTest {

    static final String STABLE = "Stable API: plugins and embedders may rely on it; changes follow semantic versioning.";
    static final String RUNTIME = "Runtime, not an API contract: may change in any release; embedders use it through";
    private static final Path ROOT = Path.of("src/main/java/dev/pgcdc/api");

    @Test
    void everyPackageSaysWhetherItIsStableApiOrRuntime() {
        List<Path> packages = packages();
        assertThat(packages).as("packages under " + ROOT.toAbsolutePath()).hasSizeGreaterThan(10);
        for (Path dir : packages) {
            Path info = dir.resolve("package-info.java");
            assertThat(info).as("every package of cdc-api has a package-info").exists();
            String text = read(info);
            boolean runtime = dir.getFileName().toString().equals("runtime");
            assertThat(text).as(info + " marks its stability").contains(runtime ? RUNTIME : STABLE);
            assertThat(text).as(info + " marks only one").doesNotContain(runtime ? STABLE : RUNTIME);
        }
    }

    private static List<Path> packages() {
        try (Stream<Path> paths = Files.walk(ROOT)) {
            return paths.filter(Files::isDirectory).filter(StabilityMarksTest::holdsJava).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean holdsJava(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(file -> file.toString().endsWith(".java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
