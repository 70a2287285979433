package dev.pgcdc.api.position;

import java.util.Objects;
import java.util.Optional;

/**
 * Which change stream positions belong to: the PostgreSQL cluster (its system identifier, the same on
 * a primary and its physical standbys), the timeline the server is on, and the server's WAL end when
 * the source started. A position is only meaningful within one cluster: after a point-in-time
 * restore, or on another cluster that reuses the slot name, the same LSN names other changes.
 *
 * <p>Sinks that store positions with their data (exactly-once) store the origin with them and check
 * it on start with {@link #conflictWith}, so that a foreign or rewound cluster is refused instead of
 * its changes being skipped as "already committed". Immutable.
 *
 * @param systemId the cluster's system identifier ({@code pg_control_system().system_identifier}), as text
 * @param timeline the server's timeline id; a promotion of a standby of the same cluster changes it
 * @param walEnd   the server's current WAL position when the source started ({@link Lsn#INVALID} if unknown)
 */
public record StreamOrigin(String systemId, long timeline, Lsn walEnd) {

    public StreamOrigin {
        Objects.requireNonNull(systemId, "systemId");
        Objects.requireNonNull(walEnd, "walEnd");
        if (systemId.isBlank()) {
            throw new IllegalArgumentException("systemId must not be blank");
        }
        if (timeline < 0) {
            throw new IllegalArgumentException("timeline must be >= 0, was " + timeline);
        }
    }

    /**
     * Why a position stored under {@code stored} cannot be resumed from on this origin, or empty when
     * it can: another system identifier (another cluster, or a cluster re-created with initdb), or a
     * stored position past this server's WAL end (a restore to an earlier point, where the same LSNs
     * will name other changes). Another timeline of the same cluster (a promoted standby) is accepted.
     *
     * @param stored         the origin stored with the position
     * @param storedPosition the stored position
     */
    public Optional<String> conflictWith(StreamOrigin stored, Position storedPosition) {
        Objects.requireNonNull(stored, "stored");
        Objects.requireNonNull(storedPosition, "storedPosition");
        if (!systemId.equals(stored.systemId)) {
            return Optional.of("the stored position " + storedPosition + " belongs to the PostgreSQL cluster with system identifier "
                    + stored.systemId + ", but the server is cluster " + systemId
                    + " (another cluster, or one re-created or restored under a new identifier)");
        }
        if (walEnd.isValid() && storedPosition.commitLsn().compareTo(walEnd) > 0) {
            return Optional.of("the stored position " + storedPosition + " is past the server's current WAL position " + walEnd
                    + " (timeline " + timeline + "): the cluster was restored to an earlier point, so those LSNs now name other changes");
        }
        return Optional.empty();
    }

    /** {@code system 7301234567890123456, timeline 1}. */
    public String describe() {
        return "system " + systemId + ", timeline " + timeline;
    }
}
