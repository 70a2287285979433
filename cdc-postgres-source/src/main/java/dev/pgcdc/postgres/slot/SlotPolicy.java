package dev.pgcdc.postgres.slot;

import java.util.function.LongSupplier;

/**
 * What {@link SlotManager#ensure} may do about the slot, and what start-up knows of its past.
 *
 * @param create                create the slot when missing ({@code slot.create-if-not-exists})
 * @param failover              create it with {@code failover} (PostgreSQL 17+, {@code slot.failover})
 * @param recreateAfterFailover create it even when it looks lost in a failover ({@code slot.recreate-after-failover})
 * @param publicationExisted    the configured publication existed before this start (so pgcdc likely streamed before)
 * @param timeline              the server's timeline, read only when the slot is missing; above 1 after a promotion, 0 when unknown
 */
public record SlotPolicy(boolean create, boolean failover, boolean recreateAfterFailover, boolean publicationExisted, LongSupplier timeline) {

    /** Create when missing or not, no failover, no history: what {@link SlotManager#ensure(String, boolean, String)} does. */
    public static SlotPolicy plain(boolean create) {
        return new SlotPolicy(create, false, false, false, () -> 1);
    }
}
