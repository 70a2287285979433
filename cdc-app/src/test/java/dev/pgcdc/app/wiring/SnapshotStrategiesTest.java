package dev.pgcdc.app.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.postgres.PostgresSourceSettings;
import dev.pgcdc.snapshot.ChunkStrategy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code snapshot-strategy} of {@code publication.tables} reaches the snapshot's settings. */
class SnapshotStrategiesTest {

    @Test
    void everyConfiguredStrategyButAutoIsHandedToTheSnapshot() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("postgres", Map.of("host", "db", "database", "shop", "user", "cdc"));
        root.put("publication", Map.of("name", "shop_pub", "tables", List.of(Map.of("name", "orders", "snapshot-strategy", "keyset"),
                Map.of("schema", "sales", "name", "items", "snapshot-strategy", "integer-range"), Map.of("name", "logs", "snapshot-strategy", "ctid"),
                Map.of("name", "notes", "snapshot-strategy", "auto"), "events")));
        root.put("slot", Map.of("name", "shop_slot"));
        PostgresSourceSettings source = PostgresSourceSettings.from(new PluginConfig("pgcdc", root));

        assertThat(SnapshotModule.strategies(source)).containsExactlyInAnyOrderEntriesOf(Map.of(
                new TableId("public", "orders"), ChunkStrategy.KEYSET,
                new TableId("sales", "items"), ChunkStrategy.INTEGER_RANGE,
                new TableId("public", "logs"), ChunkStrategy.CTID));
    }
}
