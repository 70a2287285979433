package dev.pgcdc.app.cli;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.app.config.ConfigLoader;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.lifecycle.Service;
import dev.pgcdc.app.lifecycle.StopOnSignal;
import dev.pgcdc.app.logging.LogbackSetup;
import dev.pgcdc.app.plugin.PluginCatalog;
import dev.pgcdc.app.wiring.ServiceBootstrap;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pgcdc run --config FILE}: validates, wires, starts and runs the service until stopped or failed. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the service until SIGTERM/SIGINT or a fatal error.",
            "",
            "Validates the configuration, starts the HTTP endpoints, waits (passive) while another instance"
                    + " streams from the slot, then streams changes. On SIGTERM/SIGINT it"
                    + " finishes the current transaction, drains in-flight records, acknowledges what the sink confirmed,"
                    + " closes the slot connection and exits 0, within pipeline.shutdown-timeout. A second signal exits"
                    + " at once with status 1."})
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        ClassLoader classLoader = Thread.currentThread().getContextClassLoader();
        PluginCatalog catalog = PluginCatalog.discover(classLoader);
        ServiceConfiguration configuration;
        try {
            configuration = ServiceConfiguration.load(config.file, new ConfigLoader(classLoader), catalog);
        } catch (ConfigurationException e) {
            err.println(config.file + ": " + e.getMessage());
            err.flush();
            return ExitCodes.INVALID_CONFIGURATION;
        }
        LogbackSetup.apply(configuration.app().logging());
        LOG.debug("effective configuration:\n{}", configuration.renderMasked());
        return run(configuration, catalog, err);
    }

    /**
     * Adds to {@code run --help} what the process serves and reads: the HTTP endpoints, the
     * environment variables of the modules' defaults and those of the launcher.
     */
    static void describeEnvironment(CommandSpec run, ReferenceEnvironment environment) {
        // picocli wraps footer lines without indenting them: every line here fits in its 80 columns
        List<String> footer = new ArrayList<>(List.of(
                "",
                "HTTP endpoints, on pgcdc.http.host and pgcdc.http.port (" + environment.httpPort() + " by default):",
                "  /status        the service and its slot as JSON (503: PostgreSQL is down)",
                "  /metrics       Prometheus metrics",
                "  /slot          the replication slot as PostgreSQL sees it",
                "  /health/live   200 unless the service failed",
                "  /health/ready  200 while passive (standby), snapshotting or streaming",
                "  /debug/threads, /debug/jfr?seconds=N  with pgcdc.http.debug = true only",
                "See docs/operations.md, \"HTTP endpoints\", for every answer.",
                "",
                "Environment variables the defaults read (unset: the key keeps its default):"));
        int width = environment.keysByVariable().keySet().stream().mapToInt(String::length).max().orElse(0);
        environment.keysByVariable().forEach((variable, keys) ->
                footer.add("  " + variable + " ".repeat(width - variable.length() + 2) + keys));
        footer.addAll(List.of(
                "The configuration file can read any other variable: key = $${?NAME}.",
                "",
                "Environment variables of the launcher (bin/pgcdc, ./pgcdc):",
                "  PGCDC_JAVA_OPTS  JVM options added after the defaults",
                "                   (-Dpgcdc.http.port=9090, -Xmx512m)",
                "  JAVA_OPTS        JVM options instead of the defaults (which bound the heap",
                "                   and set -XX:+ExitOnOutOfMemoryError)",
                "  PGCDC_CLASSPATH  more jars (handlers, sinks), colon-separated",
                "  JAVA_HOME, JAVA  the Java to run"));
        run.usageMessage().footer(footer.toArray(String[]::new));
    }

    /** Runs a validated configuration to its end; the exit code. */
    static int run(ServiceConfiguration configuration, PluginCatalog catalog, PrintWriter err) throws InterruptedException {
        Service service;
        try {
            service = ServiceBootstrap.create(configuration, catalog);
        } catch (ConfigurationException e) {
            return fatal(err, configuration.redact(e.getMessage()), e, ExitCodes.INVALID_CONFIGURATION);
        } catch (CdcException e) {
            return fatal(err, configuration.redact(e.getMessage()), e, ExitCodes.FAILED);
        }
        Duration shutdownTimeout = configuration.app().pipeline().shutdownTimeout();
        StopOnSignal signals = StopOnSignal.install(shutdownTimeout.plusSeconds(45), () -> {
            service.stop();
            return service.failure().isPresent() ? ExitCodes.FAILED : ExitCodes.OK;
        });
        try {
            service.start();
        } catch (RuntimeException | Error e) {
            try {
                service.stop();
            } catch (RuntimeException | Error stopError) {
                e.addSuppressed(stopError);
            }
            return fatal(err, "cannot start: " + configuration.redact(String.valueOf(e.getMessage())), e, ExitCodes.FAILED);
        }
        while (!service.awaitTermination(Duration.ofHours(1))) {
            // keep waiting: the pipeline runs until stopped or failed
        }
        if (signals.isSignalled()) {
            // the stopping thread drains and ends the process with the outcome; don't race it
            new CountDownLatch(1).await();
        }
        service.stop();
        if (service.failure().isPresent()) {
            Throwable failure = service.failure().get();
            return fatal(err, "failed: " + configuration.redact(String.valueOf(failure.getMessage())), failure, ExitCodes.FAILED);
        }
        return ExitCodes.OK;
    }

    private static int fatal(PrintWriter err, String message, Throwable cause, int code) {
        LOG.debug("fatal error", cause);
        err.println("pgcdc: " + message);
        err.flush();
        return code;
    }
}
