package dev.pgcdc.snapshot;

import dev.pgcdc.api.event.TableId;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code pgcdc.snapshot.*} settings (see docs/configuration.md), as plain values. Immutable.
 *
 * @param mode              {@code never}, {@code initial} or {@code snapshot_only}
 * @param chunkSize         rows per chunk (default 8000)
 * @param claimTimeout      a claim (or a planner) without heartbeat this long is taken over (default 30 s)
 * @param heartbeatInterval how often claims are refreshed (default 5 s); less than {@code claimTimeout}
 * @param instanceId        this instance's name in the claims (default {@code hostname-pid})
 * @param tables            the tables to snapshot, in order
 * @param queryCondition    a SQL condition every snapshot read is restricted to (snapshot only, not the stream)
 * @param tableConditions   per-table conditions, ANDed with the global one
 * @param strategies        per-table chunk strategies; tables not named use {@link ChunkStrategy#AUTO}
 * @param resnapshot        discard a finished job of this slot and take the snapshot again
 * @param id                the job's name in mode {@code snapshot_only}
 * @param fetchSize         rows of a chunk cursor's first fetch (default 1000); later fetches are sized by bytes ({@link ChunkReader})
 * @param progressInterval  how often progress is logged (default 10 s)
 */
public record SnapshotSettings(Mode mode, int chunkSize, Duration claimTimeout, Duration heartbeatInterval, String instanceId,
                               List<TableId> tables, Optional<String> queryCondition, Map<TableId, String> tableConditions,
                               Map<TableId, ChunkStrategy> strategies, boolean resnapshot, String id, int fetchSize,
                               Duration progressInterval) {

    public static final int DEFAULT_CHUNK_SIZE = 8000;
    public static final Duration DEFAULT_CLAIM_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_FETCH_SIZE = 1000;
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(10);

    /** When a snapshot is taken. */
    public enum Mode {
        /** Never: stream only. */
        NEVER,
        /** When no completed snapshot exists for the slot, then stream. */
        INITIAL,
        /** Snapshot the tables and stop; no slot. */
        SNAPSHOT_ONLY;

        /** {@code never}, {@code initial} or {@code snapshot_only} (case and {@code -}/{@code _} ignored). */
        public static Mode parse(String text) {
            String normalized = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (Mode mode : values()) {
                if (mode.name().equals(normalized)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("unknown snapshot.mode \"" + text + "\"; use never, initial or snapshot_only");
        }
    }

    public SnapshotSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(id, "id");
        tables = List.copyOf(tables);
        Objects.requireNonNull(queryCondition, "queryCondition");
        tableConditions = Map.copyOf(tableConditions);
        strategies = Map.copyOf(strategies);
        if (chunkSize < 1) {
            throw new IllegalArgumentException("snapshot.chunk-size must be at least 1, was " + chunkSize);
        }
        if (fetchSize < 1) {
            throw new IllegalArgumentException("snapshot fetch size must be at least 1, was " + fetchSize);
        }
        requirePositive(claimTimeout, "snapshot.claim-timeout");
        requirePositive(heartbeatInterval, "snapshot.heartbeat-interval");
        requirePositive(progressInterval, "snapshot progress interval");
        if (heartbeatInterval.compareTo(claimTimeout) >= 0) {
            throw new IllegalArgumentException("snapshot.heartbeat-interval (" + heartbeatInterval + ") must be shorter than snapshot.claim-timeout ("
                    + claimTimeout + "), or live claims would be taken over");
        }
        if (instanceId.isBlank()) {
            throw new IllegalArgumentException("snapshot.instance-id must not be blank");
        }
        if (mode != Mode.NEVER && tables.isEmpty()) {
            throw new IllegalArgumentException("snapshot.mode = " + mode.name().toLowerCase(Locale.ROOT) + " needs at least one table");
        }
    }

    private static void requirePositive(Duration value, String key) {
        Objects.requireNonNull(value, key);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, was " + value);
        }
    }

    /** The defaults for {@code mode} and {@code tables}: instance id {@code hostname-pid}, job id {@code snapshot_only}. */
    public static SnapshotSettings defaults(Mode mode, List<TableId> tables) {
        return new SnapshotSettings(mode, DEFAULT_CHUNK_SIZE, DEFAULT_CLAIM_TIMEOUT, DEFAULT_HEARTBEAT_INTERVAL, defaultInstanceId(), tables,
                Optional.empty(), Map.of(), Map.of(), false, "snapshot_only", DEFAULT_FETCH_SIZE, DEFAULT_PROGRESS_INTERVAL);
    }

    /** {@code hostname-pid}. */
    public static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + '-' + ProcessHandle.current().pid();
    }

    /** The job's name: the slot's for {@code initial}, {@link #id()} for {@code snapshot_only}. */
    public String jobId(String slotName) {
        return mode == Mode.INITIAL ? Objects.requireNonNull(slotName, "mode initial needs the slot name") : id;
    }

    /** The condition reads of {@code table} are restricted to: the global and the table's, ANDed; empty when none. */
    public Optional<String> conditionFor(TableId table) {
        String own = tableConditions.get(table);
        if (queryCondition.isPresent() && own != null) {
            return Optional.of("(" + queryCondition.get() + ") AND (" + own + ")");
        }
        return own != null ? Optional.of(own) : queryCondition;
    }

    public ChunkStrategy strategyFor(TableId table) {
        return strategies.getOrDefault(table, ChunkStrategy.AUTO);
    }

    public SnapshotSettings withChunkSize(int value) {
        return new SnapshotSettings(mode, value, claimTimeout, heartbeatInterval, instanceId, tables, queryCondition, tableConditions, strategies,
                resnapshot, id, Math.min(fetchSize, value), progressInterval);
    }

    public SnapshotSettings withTiming(Duration claimTimeoutValue, Duration heartbeatIntervalValue, Duration progressIntervalValue) {
        return new SnapshotSettings(mode, chunkSize, claimTimeoutValue, heartbeatIntervalValue, instanceId, tables, queryCondition, tableConditions,
                strategies, resnapshot, id, fetchSize, progressIntervalValue);
    }

    public SnapshotSettings withInstanceId(String value) {
        return new SnapshotSettings(mode, chunkSize, claimTimeout, heartbeatInterval, value, tables, queryCondition, tableConditions, strategies,
                resnapshot, id, fetchSize, progressInterval);
    }

    public SnapshotSettings withConditions(Optional<String> global, Map<TableId, String> perTable) {
        return new SnapshotSettings(mode, chunkSize, claimTimeout, heartbeatInterval, instanceId, tables, global, perTable, strategies,
                resnapshot, id, fetchSize, progressInterval);
    }

    public SnapshotSettings withStrategies(Map<TableId, ChunkStrategy> value) {
        return new SnapshotSettings(mode, chunkSize, claimTimeout, heartbeatInterval, instanceId, tables, queryCondition, tableConditions, value,
                resnapshot, id, fetchSize, progressInterval);
    }

    public SnapshotSettings withResnapshot(boolean value) {
        return new SnapshotSettings(mode, chunkSize, claimTimeout, heartbeatInterval, instanceId, tables, queryCondition, tableConditions, strategies,
                value, id, fetchSize, progressInterval);
    }

    public SnapshotSettings withId(String value) {
        return new SnapshotSettings(mode, chunkSize, claimTimeout, heartbeatInterval, instanceId, tables, queryCondition, tableConditions, strategies,
                resnapshot, value, fetchSize, progressInterval);
    }

    public SnapshotSettings withFetchSize(int value) {
        return new SnapshotSettings(mode, chunkSize, claimTimeout, heartbeatInterval, instanceId, tables, queryCondition, tableConditions, strategies,
                resnapshot, id, value, progressInterval);
    }
}
