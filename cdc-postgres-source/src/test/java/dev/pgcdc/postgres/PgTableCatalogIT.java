package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.ColumnFacts;
import dev.pgcdc.api.event.ColumnFacts.Nullability;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.snapshot.TableShape;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.snapshot.PgTableCatalog;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The snapshot's table descriptions against what the stream delivers on a real server: a publication's
 * column list (PostgreSQL 15+) restricts the described columns exactly as pgoutput restricts the streamed
 * ones, and a partitioned table published via its root is described as the root the stream names.
 */
class PgTableCatalogIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("catalog");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();

    private TableShape describe(PgTableCatalog catalog, String name) throws Exception {
        ConnectionFactory connections = new ConnectionFactory(db.host(), db.port(), db.database(), db.user(), db.password(), "disable", null);
        try (Connection connection = connections.open()) {
            return catalog.describe(connection, new TableId("public", name));
        }
    }

    private static List<String> names(List<Column> columns) {
        return columns.stream().map(Column::name).toList();
    }

    @Test
    void aPublicationColumnListRestrictsTheDescribedColumnsAsItRestrictsTheStream() throws Exception {
        assumeThat(db.serverMajorVersion()).as("publication column lists need PostgreSQL 15").isGreaterThanOrEqualTo(15);
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, secret text, \"Name\" text, qty int)");
        PostgresSourceSettings settings = SourceHarness.settings(capture)
                .tables(List.of(new TableSettings(new TableId("public", table), null, List.of("id", "Name", "qty")))).build();
        try (SourceHarness harness = SourceHarness.start(settings)) {
            db.execute("INSERT INTO " + table + " VALUES (1, 'hidden', 'n', 7)");
            ChangeEvent streamed = harness.take(1, Duration.ofSeconds(30)).get(0);
            assertThat(names(streamed.after().columns())).containsExactly("id", "Name", "qty");

            TableShape published = describe(new PgTableCatalog(capture.publication()), table);
            assertThat(published.columns()).isEqualTo(streamed.after().columns());
            assertThat(published.keyColumns()).isEqualTo(streamed.keyColumns());
            assertThat(published.chunkKey()).containsExactly("id");
            assertThat(published.decode(new String[] {"1", "n", "7"})).isEqualTo(streamed.after());

            assertThat(names(describe(new PgTableCatalog(), table).columns())).as("no publication: every column")
                    .containsExactly("id", "secret", "Name", "qty");
            assertThat(names(describe(new PgTableCatalog("no_such_publication"), table).columns())).as("a table the publication lacks")
                    .containsExactly("id", "secret", "Name", "qty");
        }
    }

    @Test
    void aPublicationWithoutColumnListDescribesEveryColumnOnEveryVersion() throws Exception {
        db.execute("CREATE TYPE " + table + "_mood AS ENUM ('sad', 'happy')",
                "CREATE DOMAIN " + table + "_price AS numeric(10,2) NOT NULL",
                "CREATE TABLE " + table + " (id int PRIMARY KEY, a text NOT NULL, b int, m " + table + "_mood, p " + table + "_price)");
        try (SourceHarness harness = SourceHarness.start(SourceHarness.settings(capture).tables(table).build())) {
            db.execute("INSERT INTO " + table + " VALUES (1, 'x', 2, 'happy', 1.5)");
            ChangeEvent streamed = harness.take(1, Duration.ofSeconds(30)).get(0);
            TableShape shape = describe(new PgTableCatalog(capture.publication()), table);
            assertThat(shape.columns()).isEqualTo(streamed.after().columns());
            assertThat(names(shape.columns())).containsExactly("id", "a", "b", "m", "p");
            // the catalog facts, the same whether the snapshot or the stream's Relation message described the table
            assertThat(shape.columns()).extracting(c -> c.facts().nullability()).containsExactly(Nullability.NOT_NULL, Nullability.NOT_NULL,
                    Nullability.NULLABLE, Nullability.NULLABLE, Nullability.NOT_NULL);
            assertThat(shape.columns().get(3).facts().enumLabels()).containsExactly("sad", "happy");
            assertThat(shape.columns().get(4).facts()).isEqualTo(new ColumnFacts(Nullability.NOT_NULL, "numeric", (10 << 16 | 2) + 4, List.of()));
        }
    }

    @Test
    void aPartitionedTablePublishedViaItsRootIsDescribedAsTheRootTheStreamNames() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int, region text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region)",
                "CREATE TABLE " + table + "_eu PARTITION OF " + table + " FOR VALUES IN ('eu')",
                "CREATE TABLE " + table + "_us PARTITION OF " + table + " FOR VALUES IN ('us')");
        try (SourceHarness harness = SourceHarness.start(SourceHarness.settings(capture).tables(table).build())) {
            db.execute("INSERT INTO " + table + " VALUES (1, 'eu', 10), (2, 'us', 20)");
            List<ChangeEvent> streamed = harness.take(2, Duration.ofSeconds(30));
            assertThat(streamed).extracting(ChangeEvent::table).containsOnly(new TableId("public", table));
            TableShape shape = describe(new PgTableCatalog(capture.publication()), table);
            assertThat(shape.table()).isEqualTo(streamed.get(0).table());
            assertThat(shape.columns()).isEqualTo(streamed.get(0).after().columns());
            assertThat(shape.keyColumns()).isEqualTo(streamed.get(0).keyColumns());
            assertThat(shape.chunkKey()).containsExactly("id", "region");
        }
    }
}
