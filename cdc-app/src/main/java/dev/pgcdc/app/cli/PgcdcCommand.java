package dev.pgcdc.app.cli;

import picocli.CommandLine.Command;

/** The top-level command; it only holds the subcommands. */
@Command(name = "pgcdc",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Streams PostgreSQL changes (logical replication, pgoutput) into Kafka.",
        subcommands = {RunCommand.class, ValidateCommand.class, QuickstartCommand.class, picocli.CommandLine.HelpCommand.class},
        synopsisSubcommandLabel = "COMMAND",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done, or stopped on SIGTERM/SIGINT after draining cleanly",
            "1:fatal error (cannot start, failed while running, drain failed)",
            "2:wrong command line",
            "3:invalid configuration (every problem is printed)"},
        footer = {"", "Configuration reference: docs/configuration.md. Run 'pgcdc quickstart' for a local demo."})
public final class PgcdcCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a command is required: run, validate or quickstart");
    }
}
