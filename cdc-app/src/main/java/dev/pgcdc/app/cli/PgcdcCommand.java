package dev.pgcdc.app.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

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
            "2:wrong command line (unknown command or option, missing argument, no such configuration file)",
            "3:invalid configuration (every problem is printed)"})
public final class PgcdcCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /**
     * The command line as this class path can run it: {@code quickstart} is listed only where the
     * test kit it needs is present (a source checkout, not the distribution), and {@code run --help}
     * lists the environment variables the modules' defaults read.
     */
    public static CommandLine commandLine(ClassLoader classLoader) {
        CommandLine commandLine = new CommandLine(new PgcdcCommand());
        boolean quickstart = QuickstartCommand.isAvailable(classLoader);
        commandLine.getSubcommands().get("quickstart").getCommandSpec().usageMessage().hidden(!quickstart);
        List<String> footer = new ArrayList<>(List.of("",
                "Documentation, in docs/ beside bin/ (and in the source tree):",
                "  configuration.md  every key and its default",
                "  operations.md     running, HTTP endpoints, monitoring, exit codes"));
        if (quickstart) {
            footer.add("Run 'pgcdc quickstart' for a local demo on an embedded PostgreSQL and Kafka.");
        }
        commandLine.getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
        commandLine.setParameterExceptionHandler(PgcdcCommand::usageError);
        RunCommand.describeEnvironment(commandLine.getSubcommands().get("run").getCommandSpec(),
                ReferenceEnvironment.of(classLoader));
        return commandLine;
    }

    /** A wrong command line: what is wrong and where the help is, not the whole help (it is long). */
    private static int usageError(ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("pgcdc: " + error.getMessage());
        if (!UnmatchedArgumentException.printSuggestions(error, err)) {
            err.print("Usage: " + command.getHelp().synopsis(0));
        }
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.USAGE;
    }

    @Override
    public void run() {
        String commands = spec.subcommands().entrySet().stream()
                .filter(command -> !command.getValue().getCommandSpec().usageMessage().hidden() && !command.getKey().equals("help"))
                .map(Map.Entry::getKey)
                .collect(Collectors.joining(", "));
        throw new ParameterException(spec.commandLine(), "a command is required: " + commands);
    }
}
