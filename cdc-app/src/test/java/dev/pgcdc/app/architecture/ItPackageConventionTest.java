package dev.pgcdc.app.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IT package rule of docs/architecture.md ("Tests: where they live, what they start"), checked
 * on the sources of every module the root pom lists (the test classes of the other modules are not
 * on this module's class path, so the rule reads their files). An integration test
 * ({@code src/test/java/**}{@code /*IT.java}) sits either
 * <ul>
 *   <li>in the package of the classes it tests: a package of its module's main sources, or</li>
 *   <li>in the module's {@code it} package or below: {@code <root>.it}, where {@code <root>} is the
 *       package all of the module's main sources share ({@code dev.pgcdc.app.it},
 *       {@code dev.pgcdc.kafka.it}), and {@code dev.pgcdc.it} for a module without main sources
 *       ({@code integration-tests}), or</li>
 *   <li>beside the example classes it runs, in {@code dev.pgcdc.examples} or below (examples a user
 *       copies are test sources).</li>
 * </ul>
 */
class ItPackageConventionTest {

    private static final Pattern MODULE = Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");
    private static final String EXAMPLES = "dev.pgcdc.examples";
    private static final String WITHOUT_MAIN_SOURCES_ROOT = "dev.pgcdc";

    @Test
    void everyItOfEveryModuleSitsInThePackageItTestsOrInAnItPackage() {
        Path root = repositoryRoot();
        List<String> modules = modules(root);
        assertThat(modules).as("modules of %s", root.resolve("pom.xml")).contains("cdc-app", "integration-tests");

        List<String> misplaced = new ArrayList<>();
        int checked = 0;
        for (String module : modules) {
            Path directory = root.resolve(module);
            checked += integrationTests(directory).size();
            misplaced(directory).forEach(it -> misplaced.add(module + ": " + it));
        }
        assertThat(checked).as("ITs found in %s", modules).isGreaterThan(50);
        assertThat(misplaced).as("ITs outside the package of the classes they test and outside an it package"
                + " (docs/architecture.md, \"Tests: where they live\")").isEmpty();
    }

    @Test
    void anItOutsideTheTestedPackagesAndTheItPackageIsReported(@TempDir Path module) {
        write(module, "src/main/java/dev/pgcdc/orders/Orders.java", "package dev.pgcdc.orders;");
        write(module, "src/main/java/dev/pgcdc/orders/store/Store.java", "package dev.pgcdc.orders.store;");
        write(module, "src/test/java/dev/pgcdc/orders/store/StoreIT.java", "package dev.pgcdc.orders.store;");
        write(module, "src/test/java/dev/pgcdc/orders/it/EndToEndIT.java", "package dev.pgcdc.orders.it;");
        write(module, "src/test/java/dev/pgcdc/orders/it/crash/CrashIT.java", "package dev.pgcdc.orders.it.crash;");
        write(module, "src/test/java/dev/pgcdc/examples/shop/ShopExampleIT.java", "package dev.pgcdc.examples.shop;");
        write(module, "src/test/java/dev/pgcdc/orders/StoreTest.java", "package dev.pgcdc.elsewhere;"); // a unit test: not checked
        write(module, "src/test/java/dev/pgcdc/orders/wiring/WiringIT.java", "package dev.pgcdc.orders.wiring;");
        write(module, "src/test/java/dev/pgcdc/it/ServiceIT.java", "package dev.pgcdc.it;");
        write(module, "src/test/java/DefaultPackageIT.java", "class DefaultPackageIT {}");

        assertThat(misplaced(module)).containsExactly("DefaultPackageIT (in the default package)",
                "dev.pgcdc.it.ServiceIT", "dev.pgcdc.orders.wiring.WiringIT");
    }

    @Test
    void aModuleWithoutMainSourcesKeepsItsItsUnderDevPgcdcIt(@TempDir Path module) {
        write(module, "src/test/java/dev/pgcdc/it/runbooks/RunbookIT.java", "package dev.pgcdc.it.runbooks;");
        write(module, "src/test/java/dev/pgcdc/it/ServiceIT.java", "package dev.pgcdc.it;");
        write(module, "src/test/java/dev/pgcdc/app/AppIT.java", "package dev.pgcdc.app;");
        write(module, "src/test/java/dev/pgcdc/items/ItemsIT.java", "package dev.pgcdc.items;");

        assertThat(misplaced(module)).containsExactly("dev.pgcdc.app.AppIT", "dev.pgcdc.items.ItemsIT");
    }

    /** The ITs of {@code module} that break the rule, as {@code package.ClassName}, sorted. */
    private static Set<String> misplaced(Path module) {
        Set<String> mainPackages = packagesOf(module.resolve("src/main/java"));
        String itPackage = commonPackage(mainPackages).orElse(WITHOUT_MAIN_SOURCES_ROOT) + ".it";
        Set<String> misplaced = new TreeSet<>();
        for (Path file : integrationTests(module)) {
            String name = file.getFileName().toString().replaceFirst("\\.java$", "");
            Optional<String> declared = declaredPackage(file);
            if (declared.isEmpty()) {
                misplaced.add(name + " (in the default package)");
            } else if (!mainPackages.contains(declared.get()) && !isAtOrBelow(declared.get(), itPackage)
                    && !isAtOrBelow(declared.get(), EXAMPLES)) {
                misplaced.add(declared.get() + "." + name);
            }
        }
        return misplaced;
    }

    private static boolean isAtOrBelow(String pkg, String parent) {
        return pkg.equals(parent) || pkg.startsWith(parent + ".");
    }

    /** The longest package every one of {@code packages} is at or below; empty for none. */
    private static Optional<String> commonPackage(Set<String> packages) {
        return packages.stream().reduce((a, b) -> {
            String[] left = a.split("\\.");
            String[] right = b.split("\\.");
            int shared = 0;
            while (shared < Math.min(left.length, right.length) && left[shared].equals(right[shared])) {
                shared++;
            }
            return String.join(".", List.of(left).subList(0, shared));
        });
    }

    /** The packages of the {@code .java} files under {@code sourceRoot}, from their directories. */
    private static Set<String> packagesOf(Path sourceRoot) {
        Set<String> packages = new TreeSet<>();
        javaFiles(sourceRoot).forEach(file -> packages.add(sourceRoot.relativize(file.getParent()).toString().replace('/', '.')));
        return packages;
    }

    private static List<Path> integrationTests(Path module) {
        return javaFiles(module.resolve("src/test/java")).stream().filter(file -> file.getFileName().toString().endsWith("IT.java")).toList();
    }

    private static List<Path> javaFiles(Path sourceRoot) {
        if (!Files.isDirectory(sourceRoot)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<String> declaredPackage(Path file) {
        Matcher declaration = PACKAGE.matcher(read(file));
        return declaration.find() ? Optional.of(declaration.group(1)) : Optional.empty();
    }

    private static List<String> modules(Path root) {
        Matcher module = MODULE.matcher(read(root.resolve("pom.xml")));
        List<String> modules = new ArrayList<>();
        while (module.find()) {
            modules.add(module.group(1));
        }
        return modules;
    }

    /** The directory of the root pom: the nearest directory at or above the working directory with a pom listing modules. */
    private static Path repositoryRoot() {
        for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
            Path pom = directory.resolve("pom.xml");
            if (Files.isRegularFile(pom) && read(pom).contains("<modules>")) {
                return directory;
            }
        }
        throw new AssertionError("no pom.xml with <modules> at or above " + Path.of("").toAbsolutePath());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path module, String file, String text) {
        try {
            Path path = module.resolve(file);
            Files.createDirectories(path.getParent());
            Files.writeString(path, text + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
