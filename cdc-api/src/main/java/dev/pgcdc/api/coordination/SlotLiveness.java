package dev.pgcdc.api.coordination;

/**
 * Tells whether a replication slot is in use by some instance, so that passive instances know when
 * to race for it. Implementations query the database; called periodically from one monitor thread.
 */
public interface SlotLiveness {

    /** Whether a walsender is currently streaming from {@code slotName}. */
    boolean isSlotActive(String slotName);
}
