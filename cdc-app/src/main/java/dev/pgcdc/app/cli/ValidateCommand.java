package dev.pgcdc.app.cli;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.app.config.ConfigLoader;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.plugin.PluginCatalog;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pgcdc validate --config FILE}: checks the configuration and connects to nothing. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Checks a configuration file; connects to nothing.",
            "Every problem is printed, each with its full key, the bad value and what is allowed.",
            "Exit code 0 when valid, 3 when not, 2 when there is no such file."})
final class ValidateCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--print", description = "Also print the effective configuration (defaults filled in, secrets masked).")
    boolean print;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ClassLoader classLoader = Thread.currentThread().getContextClassLoader();
        ServiceConfiguration configuration;
        try {
            configuration = ServiceConfiguration.load(config.file, new ConfigLoader(classLoader), PluginCatalog.discover(classLoader));
        } catch (ConfigurationException e) {
            err.println(config.file + ": " + e.getMessage());
            err.flush();
            return ExitCodes.INVALID_CONFIGURATION;
        }
        out.println(config.file + ": valid (slot " + configuration.postgres().slotName() + ", publication "
                + configuration.postgres().publicationName() + ", handler " + configuration.app().handlerName() + ", sink "
                + configuration.app().sinkName() + ")");
        for (String warning : configuration.warnings()) {
            out.println(config.file + ": warning: " + warning);
        }
        if (print) {
            out.println(configuration.renderMasked());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
