package dev.pgcdc.app.process;

import dev.pgcdc.testkit.process.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The two JVMs cdc-app's tests start, as the test kit's {@link ChildJvm}: {@code pgcdc} as an
 * operator runs it ({@code java -cp ... dev.pgcdc.app.Main ARGS}), and a probe class of the tests.
 * Output (stdout and stderr together) in {@code directory/<name>.log}.
 */
public final class PgcdcJvm {

    private PgcdcJvm() {
    }

    /**
     * Starts {@code pgcdc ARGS} with the test's class path without its test classes (so plugins come
     * only from the jars given), plus {@code extraClasspath}.
     */
    public static ChildJvm start(Path directory, String name, List<Path> extraClasspath, String... args) {
        List<Object> classPath = new ArrayList<>(ChildJvm.mainClassPath());
        classPath.addAll(extraClasspath);
        return ChildJvm.of(name, "dev.pgcdc.app.Main").classPath(classPath).jvmOptions(ChildJvm.SMALL_HEAP).args(args)
                .output(directory.resolve(name + ".log")).start();
    }

    /** Starts {@code mainClass ARGS} with the test's whole class path (test classes included). */
    public static ChildJvm startTestMain(Path directory, String name, Class<?> mainClass, String... args) {
        return ChildJvm.of(name, mainClass.getName()).classPath(ChildJvm.testClassPath()).jvmOptions(ChildJvm.SMALL_HEAP).args(args)
                .output(directory.resolve(name + ".log")).start();
    }
}
