package dev.pgcdc.postgres.replication;

import java.time.Duration;

/** Waits between reconnect attempts: the initial wait, doubled after each failure up to a maximum. */
final class Backoff {

    private final Duration initial;
    private final Duration max;
    private Duration next;

    Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
        this.next = initial;
    }

    /** The wait before the next attempt; the one after will be twice as long (at most the maximum). */
    Duration next() {
        Duration current = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return current;
    }

    void reset() {
        next = initial;
    }
}
