package dev.pgcdc.app.lifecycle;

/**
 * What the {@link Service} waits at before it starts the pipeline: the replication slot, which one
 * instance of a failover group streams from at a time. While another instance holds it, this one is
 * passive and {@link #awaitSlot} blocks.
 *
 * <p>Threading: {@link #awaitSlot} and {@link #release} on the service's starting thread;
 * {@link #cancel} from any thread.
 */
public interface SlotGate {

    /**
     * Blocks until this instance holds the slot (it streams from it; the pipeline may start) or
     * {@link #cancel} was called.
     *
     * @return true when the slot is held; false after {@link #cancel}
     * @throws dev.pgcdc.api.CdcException when taking the slot failed for another reason than another instance holding it
     */
    boolean awaitSlot() throws InterruptedException;

    /** Ends a wait in {@link #awaitSlot} (it returns false). Idempotent. */
    void cancel();

    /** The slot was taken but the pipeline will not start (a stop came first): lets the slot go. */
    void release();

    /** The pipeline that streamed from the slot has ended: this instance no longer holds it. */
    void released();
}
