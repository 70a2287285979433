package dev.pgcdc.app.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code pgcdc quickstart}: a local demo on embedded PostgreSQL and Kafka. Those come from the test
 * kit, which is not part of the distribution: the command works from a source checkout
 * ({@code ./pgcdc quickstart} after {@code ./mvnw install}). Elsewhere {@code --help} does not list it,
 * and running it says where it works.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"Demo on an embedded PostgreSQL and Kafka.",
            "",
            "Creates a demo table and publication, runs the service on a generated configuration, writes some"
                    + " changes and prints the Kafka records as they arrive. Ctrl-C stops everything cleanly.",
            "",
            "Needs the development class path: ./pgcdc quickstart in a source checkout."})
public final class QuickstartCommand implements Callable<Integer> {

    /** A class of the test kit: present on the development class path only. */
    private static final String TESTKIT_CLASS = "dev.pgcdc.testkit.postgres.PostgresServer";

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port of /status and /metrics (default ${DEFAULT-VALUE}; a free one if it is taken; 0 for any).")
    int httpPort;

    @Option(names = "--exit-when-done", description = "Stop and exit once the demo changes have arrived in Kafka (for scripts and tests).")
    boolean exitWhenDone;

    @Spec
    CommandSpec spec;

    /** Whether {@code classLoader} sees the test kit, without which the demo cannot run. */
    static boolean isAvailable(ClassLoader classLoader) {
        try {
            Class.forName(TESTKIT_CLASS, false, classLoader);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!isAvailable(QuickstartCommand.class.getClassLoader())) {
            spec.commandLine().getErr().println("pgcdc: quickstart needs the embedded PostgreSQL and Kafka of the test kit, which the"
                    + " distribution does not ship; run it from a source checkout: ./mvnw -q install -DskipTests && ./pgcdc quickstart");
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILED;
        }
        return new dev.pgcdc.app.quickstart.Quickstart(spec.commandLine().getOut(), httpPort, exitWhenDone).run();
    }
}
