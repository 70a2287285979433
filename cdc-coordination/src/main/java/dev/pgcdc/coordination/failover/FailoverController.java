package dev.pgcdc.coordination.failover;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active/passive failover on one replication slot: PostgreSQL lets one walsender stream from a slot
 * at a time, so the instance streaming is the active one and every other instance of the group
 * (same configuration, same slot) is passive. {@link #awaitSlot} checks the slot every
 * {@code interval}; while another walsender holds it, this instance is passive and stays so; when
 * the slot is free it tries to take it ({@link SlotClaim}), and the instances that lose that race
 * (another walsender got the slot first) stay passive, without an error. The decision is logged
 * once per change (a new holder, a lost race, the database unreadable or readable again), never per
 * check.
 *
 * <p>A takeover is becoming active after having seen the slot held by another walsender; its
 * duration runs from the last check that saw the slot held to the moment this instance streams, so
 * it bounds from above the time the slot went unused as this instance saw it (the old walsender's
 * exit lies between the two).
 *
 * <p>Threading: {@link #awaitSlot} on one thread (the service's starting thread), which also runs
 * the {@link SlotClaim} and the {@link RoleListener}; {@link #cancel} from any thread.
 */
public final class FailoverController {

    private static final Logger LOG = LoggerFactory.getLogger(FailoverController.class);

    /** Tries to take the slot by starting to stream from it. */
    @FunctionalInterface
    public interface SlotClaim {

        /**
         * @return true when this instance now streams from the slot; false when another walsender
         *         held it (the race was lost, nothing was changed)
         * @throws RuntimeException any other failure to start, which ends {@link #awaitSlot}
         */
        boolean tryClaim();
    }

    /** Told of this instance's role, on the thread of {@link #awaitSlot}. */
    public interface RoleListener {

        /** This instance is passive; {@code holder} streams from the slot (called again whenever the holder changes). */
        void passive(SlotHolder holder);

        /** This instance streams from the slot now; {@code takeover} is empty when it found the slot free without having waited. */
        void active(Optional<Duration> takeover);
    }

    private final String slotName;
    private final String instanceId;
    private final SlotHolders holders;
    private final Duration interval;
    private final SlotClaim claim;
    private final RoleListener listener;
    private final Object wakeUp = new Object();
    // guarded by wakeUp
    private boolean cancelled;

    /**
     * @param instanceId names this instance in the log ({@code pgcdc.snapshot.instance-id}, else host name and process id)
     * @param interval   how often the slot is checked ({@code slot.activity-check-interval})
     */
    public FailoverController(String slotName, String instanceId, SlotHolders holders, Duration interval, SlotClaim claim,
            RoleListener listener) {
        this.slotName = Objects.requireNonNull(slotName, "slotName");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.holders = Objects.requireNonNull(holders, "holders");
        this.interval = Objects.requireNonNull(interval, "interval");
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("the activity-check interval must be positive, was " + interval);
        }
        this.claim = Objects.requireNonNull(claim, "claim");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Waits, passively, until this instance holds the slot.
     *
     * @return true when this instance streams from the slot now; false when {@link #cancel} came first
     * @throws RuntimeException what the {@link SlotClaim} threw for a failure other than a lost race
     */
    public boolean awaitSlot() throws InterruptedException {
        SlotHolder announced = null; // the holder last logged and told to the listener
        long lastSeenHeldNanos = 0;  // when a check last saw another walsender on the slot, 0 if never
        boolean unreadable = false;
        while (!isCancelled()) {
            SlotHolder holder;
            try {
                holder = holders.holder(slotName);
                if (unreadable) {
                    unreadable = false;
                    LOG.info("slot {} readable again", slotName);
                }
            } catch (RuntimeException e) {
                if (isRefused(e)) {
                    throw e; // the role may not read the slot (authentication, CONNECT, privilege): waiting cannot help
                }
                if (!unreadable) {
                    unreadable = true;
                    LOG.warn("instance {} cannot check slot {} ({}); staying passive, checking every {} ms", instanceId, slotName,
                            e.getMessage(), interval.toMillis());
                }
                pause();
                continue;
            }
            if (holder.active()) {
                lastSeenHeldNanos = System.nanoTime();
                if (!sameHolder(holder, announced)) {
                    announced = holder;
                    LOG.info("instance {} is passive: slot {} is streamed by {}; checking every {} ms", instanceId, slotName,
                            holder.describe(), interval.toMillis());
                    listener.passive(holder);
                }
                pause();
                continue;
            }
            if (isCancelled()) {
                break;
            }
            if (claim.tryClaim()) {
                Optional<Duration> takeover = lastSeenHeldNanos == 0 ? Optional.empty()
                        : Optional.of(Duration.ofNanos(System.nanoTime() - lastSeenHeldNanos));
                LOG.info("instance {} is active: streams from slot {}{}", instanceId, slotName,
                        takeover.map(d -> " (took over " + d.toMillis() + " ms after the last check that saw it held)").orElse(""));
                listener.active(takeover);
                return true;
            }
            // lost the race (once per race, so once per change): the next check shows the winner and announces it
            lastSeenHeldNanos = System.nanoTime();
            LOG.info("instance {} lost the race for slot {} to another instance; staying passive", instanceId, slotName);
        }
        return false;
    }

    /** Makes {@link #awaitSlot} return false soon (at once when it waits between checks). Any thread; idempotent. */
    public void cancel() {
        synchronized (wakeUp) {
            cancelled = true;
            wakeUp.notifyAll();
        }
    }

    private boolean isCancelled() {
        synchronized (wakeUp) {
            return cancelled;
        }
    }

    private void pause() throws InterruptedException {
        long deadline = System.nanoTime() + interval.toNanos();
        synchronized (wakeUp) {
            long left;
            while (!cancelled && (left = deadline - System.nanoTime()) > 0) {
                wakeUp.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** The same walsender: a new one (a new PID) is a change worth a log line, a re-read of the same one is not. */
    private static boolean sameHolder(SlotHolder holder, SlotHolder announced) {
        return announced != null && announced.active() && announced.pid() == holder.pid();
    }

    /**
     * Whether the server refused the check for good: SQLSTATE class 28 (authentication), 3D (no such
     * database) or 42501 (insufficient privilege, e.g. CONNECT revoked); anything else (a restart, the
     * network) is waited out.
     */
    private static boolean isRefused(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return state.startsWith("28") || state.startsWith("3D") || state.equals("42501");
            }
        }
        return false;
    }
}
