package dev.pgcdc.coordination.failover;

import dev.pgcdc.api.coordination.SlotLiveness;

/**
 * {@link SlotLiveness} that also says who holds the slot, for the passive instances' status and logs.
 * Called from one thread at a time (the failover controller's waiting thread, an HTTP thread).
 */
public interface SlotHolders extends SlotLiveness {

    /**
     * Who streams from {@code slotName} now.
     *
     * @throws dev.pgcdc.api.CdcException when the database cannot be asked
     */
    SlotHolder holder(String slotName);

    @Override
    default boolean isSlotActive(String slotName) {
        return holder(slotName).active();
    }
}
