package dev.pgcdc.app.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The {@code --config FILE} option shared by {@code run} and {@code validate}. A file that does not
 * exist is a wrong command line (exit 2), like a missing option; what the file says is checked later
 * (exit 3 when invalid).
 */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", converter = ExistingFile.class,
            description = "The HOCON configuration file, keys under pgcdc.")
    Path file;

    /** Accepts a path only when a regular file is there. */
    static final class ExistingFile implements ITypeConverter<Path> {

        @Override
        public Path convert(String value) {
            Path path = Path.of(value);
            if (!Files.exists(path)) {
                throw new TypeConversionException(value + " does not exist (working directory "
                        + Path.of("").toAbsolutePath() + ")");
            }
            if (!Files.isRegularFile(path)) {
                throw new TypeConversionException(value + " is not a file");
            }
            return path;
        }
    }
}
