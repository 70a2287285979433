package dev.pgcdc.api.source;

import java.util.Optional;

/**
 * An optional capability of a {@link ChangeSource}: it streams from a replication slot that one
 * connection holds at a time, so an owner can take the slot before it starts anything else (the
 * active/passive failover of cdc-app waits until this instance holds it), and prepare what the slot
 * will decode before the slot exists (an initial snapshot reads the publication's tables first).
 * The PostgreSQL source has it; an owner asks with {@link #of(ChangeSource)} and does without it for
 * other sources (no failover gate, nothing to prepare).
 *
 * <p>Threading: {@link #preparePublication} and {@link #tryClaimSlot} on the owner's starting thread,
 * before {@link #start}; the rest as {@link ChangeSource}.
 */
public interface SlotSource extends ChangeSource {

    /** The slot's name. */
    String slotName();

    /**
     * The start-up checks and whatever the slot will decode (for PostgreSQL the publication and the
     * replica identities), without taking the slot.
     *
     * @throws dev.pgcdc.api.CdcException saying what is wrong
     */
    void preparePublication();

    /**
     * Everything {@link #start} does, taking the slot; the next {@link #start} then returns at once.
     *
     * @return true when this source holds the slot now; false when another connection holds it (nothing
     *         changed; may be called again)
     * @throws dev.pgcdc.api.CdcException when taking the slot failed for another reason
     */
    boolean tryClaimSlot();

    /** {@code source}'s slot capability, if it has one. */
    static Optional<SlotSource> of(ChangeSource source) {
        return source instanceof SlotSource slotSource ? Optional.of(slotSource) : Optional.empty();
    }
}
