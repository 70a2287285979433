package dev.pgcdc.testkit.postgres;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The primary's {@code synchronized_standby_slots} (PostgreSQL 17+): the physical slots of the
 * standbys that must have received WAL before a logical walsender sends it to a consumer of a
 * failover slot. Changed with {@code ALTER SYSTEM} and a reload; returns once new sessions see the
 * new value. Stateless; callers on one primary must not change it concurrently.
 */
final class SynchronizedStandbySlots {
    private SynchronizedStandbySlots() {
    }

    static void add(PostgresServer primary, String slot) {
        change(primary, slots -> slots.add(slot));
    }

    static void remove(PostgresServer primary, String slot) {
        change(primary, slots -> slots.remove(slot));
    }

    private static void change(PostgresServer primary, Consumer<Set<String>> change) {
        Set<String> slots = current(primary);
        change.accept(slots);
        String value = String.join(",", slots);
        primary.execute(value.isEmpty() ? "ALTER SYSTEM RESET synchronized_standby_slots"
                : "ALTER SYSTEM SET synchronized_standby_slots = '" + value + "'", "SELECT pg_reload_conf()");
        ServerConditions.await("synchronized_standby_slots = '" + value + "' on port " + primary.port(), Duration.ofSeconds(30),
                () -> current(primary).equals(slots), () -> "");
    }

    private static Set<String> current(PostgresServer primary) {
        Set<String> slots = new LinkedHashSet<>();
        Arrays.stream(primary.queryValue(String.class, "SHOW synchronized_standby_slots").split(","))
                .map(String::trim)
                .filter(slot -> !slot.isEmpty())
                .forEach(slots::add);
        return slots;
    }
}
