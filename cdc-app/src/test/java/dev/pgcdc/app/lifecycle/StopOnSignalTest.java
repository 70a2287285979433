package dev.pgcdc.app.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.app.process.PgcdcJvm;
import dev.pgcdc.testkit.process.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM handling in a JVM of its own (real signals): a graceful stop, a second signal, a stop that takes too long. */
class StopOnSignalTest {

    private static final Duration GENEROUS = Duration.ofSeconds(60);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path directory;

    @Test
    void sigtermRunsTheStopAndExitsWithItsStatus() throws Exception {
        try (ChildJvm probe = PgcdcJvm.startTestMain(directory, "graceful", StopOnSignalProbe.class, "60000", "200", "0")) {
            probe.awaitOutput("ready", GENEROUS);

            probe.sigterm();

            assertThat(probe.awaitExit(GENEROUS)).as("output:\n%s", probe.tail()).isZero();
            assertThat(probe.output()).contains("received SIGTERM; stopping gracefully", "stopping", "exiting with status 0");
        }
    }

    @Test
    void aSecondSigtermWhileStoppingExitsAtOnceWithStatusOne() throws Exception {
        try (ChildJvm probe = PgcdcJvm.startTestMain(directory, "second", StopOnSignalProbe.class, "600000", "forever", "0")) {
            probe.awaitOutput("ready", GENEROUS);
            probe.sigterm();
            probe.awaitOutput("stopping", GENEROUS);

            long second = System.nanoTime();
            probe.sigterm();

            assertThat(probe.awaitExit(GENEROUS)).as("output:\n%s", probe.tail()).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - second)).as("from the second SIGTERM to the exit").isLessThan(Duration.ofSeconds(20));
            assertThat(probe.output()).contains("second SIGTERM while stopping: exiting now");
        }
    }

    @Test
    void aStopThatOutlastsItsBoundEndsTheProcessWithStatusOne() throws Exception {
        try (ChildJvm probe = PgcdcJvm.startTestMain(directory, "bound", StopOnSignalProbe.class, "1000", "forever", "0")) {
            probe.awaitOutput("ready", GENEROUS);

            probe.sigterm();

            assertThat(probe.awaitExit(GENEROUS)).as("output:\n%s", probe.tail()).isEqualTo(1);
            assertThat(probe.output()).contains("stopping took longer than 1 s; exiting without waiting further");
        }
    }
}
