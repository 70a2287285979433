package dev.pgcdc.app.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by {@code run} and {@code validate}. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The HOCON configuration file (keys under pgcdc; $${?ENV_VAR} substitutions work).")
    Path file;
}
