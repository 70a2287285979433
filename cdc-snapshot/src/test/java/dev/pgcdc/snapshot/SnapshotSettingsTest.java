package dev.pgcdc.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.event.TableId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SnapshotSettingsTest {

    private static final TableId ORDERS = new TableId("public", "orders");
    private static final TableId ITEMS = new TableId("shop", "items");

    @Test
    void defaultsAreThoseOfTheConfigurationReference() {
        SnapshotSettings settings = SnapshotSettings.defaults(SnapshotSettings.Mode.INITIAL, List.of(ORDERS));
        assertThat(settings.chunkSize()).isEqualTo(8000);
        assertThat(settings.claimTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.instanceId()).endsWith("-" + ProcessHandle.current().pid());
        assertThat(settings.resnapshot()).isFalse();
        assertThat(settings.strategyFor(ORDERS)).isEqualTo(ChunkStrategy.AUTO);
        assertThat(settings.jobId("my_slot")).isEqualTo("my_slot");
        assertThat(settings.withId("nightly").jobId("my_slot")).as("initial jobs are the slot's").isEqualTo("my_slot");
        assertThat(SnapshotSettings.defaults(SnapshotSettings.Mode.SNAPSHOT_ONLY, List.of(ORDERS)).withId("nightly").jobId(null))
                .isEqualTo("nightly");
    }

    @Test
    void conditionsAreTheGlobalAndTheTablesAnded() {
        SnapshotSettings settings = SnapshotSettings.defaults(SnapshotSettings.Mode.SNAPSHOT_ONLY, List.of(ORDERS, ITEMS))
                .withConditions(Optional.of("deleted = false"), Map.of(ITEMS, "price > 0"));
        assertThat(settings.conditionFor(ORDERS)).contains("deleted = false");
        assertThat(settings.conditionFor(ITEMS)).contains("(deleted = false) AND (price > 0)");
        assertThat(settings.withConditions(Optional.empty(), Map.of(ITEMS, "price > 0")).conditionFor(ORDERS)).isEmpty();
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        SnapshotSettings settings = SnapshotSettings.defaults(SnapshotSettings.Mode.INITIAL, List.of(ORDERS));
        assertThatThrownBy(() -> settings.withChunkSize(0)).hasMessageContaining("snapshot.chunk-size");
        assertThatThrownBy(() -> settings.withTiming(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1)))
                .hasMessageContaining("snapshot.heartbeat-interval").hasMessageContaining("snapshot.claim-timeout");
        assertThatThrownBy(() -> SnapshotSettings.defaults(SnapshotSettings.Mode.SNAPSHOT_ONLY, List.of()))
                .hasMessageContaining("at least one table");
        assertThatThrownBy(() -> SnapshotSettings.Mode.parse("sometimes")).hasMessageContaining("never, initial or snapshot_only");
        assertThat(SnapshotSettings.Mode.parse("snapshot-only")).isEqualTo(SnapshotSettings.Mode.SNAPSHOT_ONLY);
        assertThat(ChunkStrategy.parse("Integer-Range")).isEqualTo(ChunkStrategy.INTEGER_RANGE);
        assertThatThrownBy(() -> ChunkStrategy.parse("offset")).hasMessageContaining("auto, integer-range, keyset or ctid");
    }
}
