package dev.pgcdc.it.failover;

import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where a takeover's time goes: the steps the new active instance logs (slot check won, source
 * connected, stream started, pipeline started, first write), each as milliseconds after the moment
 * the slot was seen free, read from the instance's log ({@code HH:mm:ss.SSS} at the start of each
 * line, the same clock as this JVM's on one machine).
 */
final class TakeoverTimeline {

    /** The log lines that mark a step of a takeover, in the order they happen. */
    private static final List<String> STEPS = List.of(
            "connected to PostgreSQL",
            "is active: streams from slot",
            "holds the slot; starting the pipeline",
            "Kafka sink started",
            "sink started ahead of the source",
            "started in",
            "first write to the sink",
            "streaming; started in");

    private TakeoverTimeline() {
    }

    /**
     * The steps {@code log} holds after {@code fromNanos} (System.nanoTime of this JVM), as
     * {@code +<ms> <line>} relative to {@code zeroNanos}, one per line.
     */
    static String of(String log, long fromNanos, long zeroNanos) {
        LocalTime from = wallClock(fromNanos);
        LocalTime zero = wallClock(zeroNanos);
        List<String> steps = new ArrayList<>();
        for (String line : log.lines().toList()) {
            LocalTime at = timeOf(line);
            if (at == null || at.isBefore(from) || STEPS.stream().noneMatch(line::contains)) {
                continue;
            }
            long millis = java.time.Duration.between(zero, at).toMillis();
            steps.add(String.format("%+7d ms  %s", millis, line.length() > 160 ? line.substring(0, 160) + "..." : line));
        }
        return steps.isEmpty() ? "  (no step logged)" : String.join("\n", steps);
    }

    private static LocalTime wallClock(long nanos) {
        long agoMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
        return LocalTime.now().minusNanos(TimeUnit.MILLISECONDS.toNanos(agoMillis));
    }

    private static LocalTime timeOf(String line) {
        if (line.length() < 12) {
            return null;
        }
        try {
            return LocalTime.parse(line.substring(0, 12));
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
