package dev.pgcdc.testkit.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The end of a log file, quoted in the message of a fixture that failed to start. */
public final class LogTail {
    private LogTail() {
    }

    /** The last {@code lines} lines of {@code file}, or a note saying why there are none. */
    public static String of(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no log file " + file + ")";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
            return "--- last lines of " + file + " ---\n" + String.join("\n", tail);
        } catch (IOException | RuntimeException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
