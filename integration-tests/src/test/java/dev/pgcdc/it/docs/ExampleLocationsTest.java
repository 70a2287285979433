package dev.pgcdc.it.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The examples a user copies live in one place, {@code integration-tests/src/test/java/dev/pgcdc/examples/<name>/}
 * (docs/architecture.md, "Tests: where they live"), each run by an {@code *ExampleIT} there, each
 * using only what an application that embeds pgcdc has; and every place the documentation names
 * an example source, package or test, that exists.
 */
class ExampleLocationsTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path JAVA = ROOT.resolve("integration-tests/src/test/java");
    private static final Path EXAMPLES = JAVA.resolve("dev/pgcdc/examples");

    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
    private static final Pattern EXAMPLE_TEST = Pattern.compile("\\w*Example\\w*IT");
    /** What an example's own sources must not use: the service, the tests' helpers, another example, a test library. */
    private static final Pattern NOT_FOR_USER_CODE = Pattern.compile(
            "\\bdev\\.pgcdc\\.(app|testkit|it)\\.\\w+|\\bdev\\.pgcdc\\.examples\\.(\\w+)|\\borg\\.(junit|assertj|awaitility)\\.\\w+");
    /** What no test of an example may import: the service's classes are not on an embedding application's class path. */
    private static final Pattern SERVICE_IMPORT = Pattern.compile("(?m)^import\\s+(static\\s+)?dev\\.pgcdc\\.app\\.");
    private static final Pattern COMMENT = Pattern.compile("(?s)/\\*.*?\\*/|//[^\\n]*");

    private static final Pattern LINK_TARGET = Pattern.compile("\\]\\(([^)\\s#]+)(#[^)]*)?\\)");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern EXAMPLE_PATH = Pattern.compile("[\\w.\\-/]*(?<![\\w.])examples/[\\w.\\-/]*");
    /** A test named in prose: {@code PostgresToFileExampleIT}, not the pattern {@code *ExampleIT}. */
    private static final Pattern EXAMPLE_TEST_NAMED = Pattern.compile("\\b[A-Z]\\w*Example\\w*IT\\b");
    private static final Pattern EXAMPLE_NAME = Pattern.compile("\\bdev\\.pgcdc\\.examples(\\.\\w+)*");

    @Test
    void noExampleLivesOutsideIntegrationTests() {
        Set<String> misplaced = new TreeSet<>();
        for (Path file : files(ROOT)) {
            boolean inExamples = file.startsWith(EXAMPLES);
            for (Path directory = file.getParent(); !directory.equals(ROOT); directory = directory.getParent()) {
                if (directory.getFileName().toString().toLowerCase().matches("examples?") && !directory.startsWith(EXAMPLES)) {
                    misplaced.add(ROOT.relativize(directory) + "/ (a directory of examples)");
                }
            }
            String name = file.getFileName().toString();
            if (name.endsWith(".java") && !inExamples) {
                String pkg = packageOf(file);
                if (pkg.equals("dev.pgcdc.examples") || pkg.startsWith("dev.pgcdc.examples.")) {
                    misplaced.add(ROOT.relativize(file) + " (package " + pkg + ")");
                } else if (EXAMPLE_TEST.matcher(name.replace(".java", "")).matches()) {
                    misplaced.add(ROOT.relativize(file) + " (a test of an example)");
                }
            }
        }
        assertThat(misplaced).as("examples live only in %s/<name>/ (docs/architecture.md); move these there",
                ROOT.relativize(EXAMPLES)).isEmpty();
    }

    @Test
    void eachExampleIsAPackageOfItsOwnRunByAnExampleIT() throws IOException {
        List<Path> examples = examples();
        assertThat(examples).as("the examples under %s", ROOT.relativize(EXAMPLES)).isNotEmpty();
        try (Stream<Path> entries = Files.list(EXAMPLES)) {
            assertThat(entries.filter(Files::isRegularFile).map(ROOT::relativize).map(Path::toString).toList())
                    .as("files directly in dev.pgcdc.examples: each example has a package of its own").isEmpty();
        }
        for (Path example : examples) {
            String pkg = "dev.pgcdc.examples." + example.getFileName();
            List<Path> sources = javaFiles(example);
            assertThat(sources).as("the sources of %s", pkg).allSatisfy(file ->
                    assertThat(packageOf(file)).as("the package of %s", ROOT.relativize(file)).isEqualTo(pkg));
            assertThat(sources).as("the tests of %s: each example is run by an *ExampleIT", pkg)
                    .anySatisfy(file -> assertThat(file.getFileName().toString()).matches(EXAMPLE_TEST.pattern() + "\\.java"));
        }
    }

    @Test
    void anExampleUsesOnlyWhatAnApplicationThatEmbedsPgcdcHas() {
        Set<String> problems = new TreeSet<>();
        for (Path example : examples()) {
            for (Path file : javaFiles(example)) {
                String source = read(file);
                String name = file.getFileName().toString().replace(".java", "");
                if (name.endsWith("IT")) {
                    if (SERVICE_IMPORT.matcher(source).find()) {
                        problems.add(ROOT.relativize(file) + " imports cdc-app, which an embedding application's class path leaves out");
                    }
                    continue;
                }
                Matcher use = NOT_FOR_USER_CODE.matcher(COMMENT.matcher(source).replaceAll(""));
                while (use.find()) {
                    if (!example.getFileName().toString().equals(use.group(2))) { // its own package is fine
                        problems.add(ROOT.relativize(file) + " uses " + use.group() + ", which a user who copies the example does not have");
                    }
                }
            }
        }
        assertThat(problems).as("what the examples use: cdc-api, the adapters, the JDK (tests: anything but cdc-app)").isEmpty();
    }

    @Test
    void theDocumentationNamesOnlyExamplesThatExist() {
        List<String> missing = new ArrayList<>();
        List<Path> documents = files(ROOT).stream().filter(file -> file.getFileName().toString().endsWith(".md")).toList();
        assertThat(documents).extracting(ROOT::relativize).map(Path::toString).contains("README.md", "docs/embedding.md", "docs/handler-guide.md");
        for (Path document : documents) {
            String text = read(document);
            String where = ROOT.relativize(document).toString();
            Matcher link = LINK_TARGET.matcher(text);
            while (link.find()) {
                String target = link.group(1);
                if (!target.contains("://") && isAboutExamples(target) && !Files.exists(document.getParent().resolve(target).normalize())) {
                    missing.add(where + ": the link (" + target + ")");
                }
            }
            Matcher span = CODE_SPAN.matcher(text);
            while (span.find()) {
                Matcher path = EXAMPLE_PATH.matcher(span.group(1));
                while (path.find()) {
                    if (!Files.exists(ROOT.resolve(path.group()).normalize())) {
                        missing.add(where + ": the path `" + path.group() + "` (paths are from the repository's root)");
                    }
                }
            }
            Matcher name = EXAMPLE_NAME.matcher(text);
            while (name.find()) {
                if (!existsAsPackageOrClass(name.group())) {
                    missing.add(where + ": " + name.group());
                }
            }
            Matcher test = EXAMPLE_TEST_NAMED.matcher(text);
            while (test.find()) {
                if (examples().stream().noneMatch(example -> Files.exists(example.resolve(test.group() + ".java")))) {
                    missing.add(where + ": the test " + test.group());
                }
            }
        }
        assertThat(missing).as("names of examples in the documentation that are not in %s", ROOT.relativize(EXAMPLES)).isEmpty();
    }

    private static boolean isAboutExamples(String target) {
        return EXAMPLE_PATH.matcher(target).find() || EXAMPLE_TEST.matcher(target).find();
    }

    /** {@code dev.pgcdc.examples.audit} is a directory, {@code dev.pgcdc.examples.audit.AuditTrailHandler} a source file. */
    private static boolean existsAsPackageOrClass(String name) {
        Path path = JAVA.resolve(name.replace('.', '/'));
        return Files.isDirectory(path) || Files.isRegularFile(path.resolveSibling(path.getFileName() + ".java"));
    }

    private static List<Path> examples() {
        try (Stream<Path> entries = Files.list(EXAMPLES)) {
            return entries.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files under {@code directory}, without build output ({@code target}) and hidden entries ({@code .git}). */
    private static List<Path> files(Path directory) {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    String name = dir.getFileName().toString();
                    return !dir.equals(directory) && (name.equals("target") || name.startsWith(".")) ? FileVisitResult.SKIP_SUBTREE
                            : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile() && !file.getFileName().toString().startsWith(".")) {
                        files.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.sort(null);
        return files;
    }

    private static List<Path> javaFiles(Path directory) {
        return files(directory).stream().filter(file -> file.getFileName().toString().endsWith(".java")).toList();
    }

    private static String packageOf(Path javaFile) {
        Matcher pkg = PACKAGE.matcher(read(javaFile));
        return pkg.find() ? pkg.group(1) : "";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
