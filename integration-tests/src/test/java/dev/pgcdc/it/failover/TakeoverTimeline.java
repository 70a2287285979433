package dev.pgcdc.it.failover;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a takeover's time goes: the steps the new active instance logs (slot check won, source
 * connected, stream started, pipeline started, first write), each as milliseconds after the moment
 * the slot was seen free, read from the instance's log (an ISO-8601 instant, e.g.
 * {@code 2026-12-02T14:15:58.637Z}, at the start of each line: the same clock as this JVM's on one machine).
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
        Instant from = wallClock(fromNanos);
        Instant zero = wallClock(zeroNanos);
        List<String> steps = new ArrayList<>();
        for (String line : log.lines().toList()) {
            Instant at = timeOf(line);
            if (at == null || at.isBefore(from) || STEPS.stream().noneMatch(line::contains)) {
                continue;
            }
            long millis = Duration.between(zero, at).toMillis();
            steps.add(String.format("%+7d ms  %s", millis, line.length() > 160 ? line.substring(0, 160) + "..." : line));
        }
        return steps.isEmpty() ? "  (no step logged)" : String.join("\n", steps);
    }

    private static Instant wallClock(long nanos) {
        return Instant.now().minusNanos(System.nanoTime() - nanos);
    }

    private static Instant timeOf(String line) {
        int space = line.indexOf(' ');
        if (space < 0) {
            return null;
        }
        try {
            return Instant.parse(line.substring(0, space));
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
