package dev.pgcdc.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.source.DatabaseConnections;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PublishedTablesIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("pubt");
    private final PostgresDatabase db = capture.db();

    @Test
    void initialSnapshotsPublishedTablesOnly() {
        String published = capture.table();
        String other = capture.table("pubother");
        db.execute("CREATE TABLE " + published + " (id int PRIMARY KEY)", "CREATE TABLE " + other + " (id int PRIMARY KEY)",
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + published);
        DatabaseConnections connections = SnapshotFixtures.connections(db);
        TableId publishedId = new TableId("public", published);
        assertThat(PublishedTables.forInitial(connections, capture.publication(), List.of())).containsExactly(publishedId);
        assertThat(PublishedTables.forInitial(connections, capture.publication(), List.of(publishedId))).containsExactly(publishedId);
        assertThatThrownBy(() -> PublishedTables.forInitial(connections, capture.publication(), List.of(publishedId,
                new TableId("public", other)))).isInstanceOf(ConfigurationException.class).hasMessageContaining(other)
                .hasMessageContaining("snapshot_only");
    }

    @Test
    void aPartitionedTableIsNamedAsThePublicationAndSoTheStreamNamesIt() {
        String root = capture.table();
        TableId rootId = new TableId("public", root);
        db.execute("CREATE TABLE " + root + " (id int, region text) PARTITION BY LIST (region)",
                "CREATE TABLE " + root + "_eu PARTITION OF " + root + " FOR VALUES IN ('eu')",
                "CREATE TABLE " + root + "_us PARTITION OF " + root + " FOR VALUES IN ('us')",
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + root);
        DatabaseConnections connections = SnapshotFixtures.connections(db);
        List<TableId> leaves = List.of(new TableId("public", root + "_eu"), new TableId("public", root + "_us"));
        assertThat(PublishedTables.forInitial(connections, capture.publication(), List.of())).as("without publish_via_partition_root")
                .containsExactlyElementsOf(leaves);
        assertThat(PublishedTables.forInitial(connections, capture.publication(), List.of(rootId))).as("the root stands for its leaves")
                .containsExactlyElementsOf(leaves);
        db.execute("ALTER PUBLICATION " + capture.publication() + " SET (publish_via_partition_root = true)");
        assertThat(PublishedTables.forInitial(connections, capture.publication(), List.of())).containsExactly(rootId);
        assertThat(PublishedTables.forInitial(connections, capture.publication(), List.of(rootId))).containsExactly(rootId);
    }
}
