package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import dev.pgcdc.testkit.postgres.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Publication and slot management and the start-up checks, against a real PostgreSQL. */
class PublicationAndSlotIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("items");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();

    @Test
    void saysWhatToRunWhenThePublicationOrTheSlotIsMissing() {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)");
        PostgresSourceSettings.Builder settings = SourceHarness.settings(capture).tables(table)
                .publicationCreateIfNotExists(false).slotCreateIfNotExists(false);
        assertThatThrownBy(() -> new PostgresSource(settings.build()).start()).isInstanceOf(SourceException.class)
                .hasMessageContaining("publication \"" + capture.publication() + "\" does not exist; set publication.create-if-not-exists = true or run: "
                        + "CREATE PUBLICATION \"" + capture.publication() + "\" FOR TABLE \"public\".\"" + table + "\" WITH (publish = 'insert, update, "
                        + "delete, truncate', publish_via_partition_root = true);");
        db.execute("CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + table + " WITH (publish_via_partition_root = true)");
        assertThatThrownBy(() -> new PostgresSource(settings.build()).start()).isInstanceOf(SourceException.class)
                .hasMessageContaining("replication slot \"" + capture.slot() + "\" does not exist; set slot.create-if-not-exists = true or run "
                        + "SELECT pg_create_logical_replication_slot('" + capture.slot() + "', 'pgoutput');");
    }

    @Test
    void refusesASlotOfAnotherPluginOrDatabase() {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)",
                "SELECT pg_create_logical_replication_slot('" + capture.slot() + "', 'test_decoding')");
        PostgresSourceSettings settings = SourceHarness.settings(capture).tables(table).build();
        assertThatThrownBy(() -> new PostgresSource(settings).start()).isInstanceOf(SourceException.class)
                .hasMessageContaining("uses output plugin \"test_decoding\", not pgoutput");
        db.dropReplicationSlotIfExists(capture.slot());

        PostgresDatabase other = db.createDatabase(TestNames.unique("otherdb"));
        other.execute("SELECT pg_create_logical_replication_slot('" + capture.slot() + "', 'pgoutput')");
        assertThatThrownBy(() -> new PostgresSource(settings).start()).isInstanceOf(SourceException.class)
                .hasMessageContaining("belongs to database \"" + other.database() + "\", not \"" + db.database() + "\"");
    }

    /** A publication may be shared: pgcdc adds what it lacks and never takes away another consumer's table. */
    @Test
    void reportsPublicationDifferencesPreciselyAndAddsWhatTheManagedOneLacks() throws Exception {
        String other = capture.table("other");
        String otherSlot = TestNames.unique("otherslot");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)", "CREATE TABLE " + other + " (id int PRIMARY KEY)",
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + other + " WITH (publish = 'insert')",
                "SELECT pg_create_logical_replication_slot('" + otherSlot + "', 'pgoutput')");
        try {
            PostgresSourceSettings.Builder settings = SourceHarness.settings(capture).tables(table)
                    .publicationCreateIfNotExists(false);
            assertThatThrownBy(() -> new PostgresSource(settings.build()).start()).isInstanceOf(SourceException.class)
                    .hasMessageContaining("publication \"" + capture.publication() + "\" differs from the configuration: it does not publish delete, "
                            + "truncate, update; it does not contain table public." + table + ". Set publication.create-if-not-exists = true "
                            + "to let pgcdc alter it, or run: ALTER PUBLICATION \"" + capture.publication() + "\" ADD TABLE \"public\".\"" + table
                            + "\"; ALTER PUBLICATION \"" + capture.publication() + "\" SET (publish = 'insert, update, delete, truncate');");

            String log = LogCapture.during(() -> {
                try (SourceHarness harness = SourceHarness.start(settings.publicationCreateIfNotExists(true).build())) {
                    assertThat(harness.source.isConnected()).isTrue();
                }
            });
            assertThat(db.query("SELECT pubinsert, pubupdate, pubdelete, pubtruncate, pubviaroot FROM pg_publication WHERE pubname = ?",
                    capture.publication())).as("publish_via_partition_root left alone: no partitioned table is captured")
                    .containsExactly(Map.of("pubinsert", true, "pubupdate", true, "pubdelete", true, "pubtruncate", true, "pubviaroot", false));
            assertThat(db.query("SELECT tablename FROM pg_publication_tables WHERE pubname = ?", capture.publication()))
                    .as("the other consumer's table stays").containsExactlyInAnyOrder(Map.of("tablename", table), Map.of("tablename", other));
            assertThat(log).contains("altering it: ALTER PUBLICATION \"" + capture.publication() + "\" ADD TABLE \"public\".\"" + table + "\"",
                    "publication \"" + capture.publication() + "\" also contains table(s) public." + other + ", which pgcdc does not capture: left in "
                            + "place", "ALTER PUBLICATION \"" + capture.publication() + "\" DROP TABLE \"public\".\"" + other + "\";");

            db.execute("INSERT INTO " + other + " VALUES (7)");
            assertThat(db.queryValue(Long.class, "SELECT count(*) FROM pg_logical_slot_peek_binary_changes(?, NULL, NULL, 'proto_version', '1', "
                    + "'publication_names', ?) WHERE get_byte(data, 0) = ascii('I')", otherSlot, capture.publication()))
                    .as("the other consumer still receives its table's insert").isEqualTo(1L);
        } finally {
            db.dropReplicationSlotIfExists(otherSlot);
        }
    }

    @Test
    void appliesTheConfiguredReplicaIdentities() {
        String full = capture.table("full");
        String indexed = capture.table("indexed");
        String nothing = capture.table("nothing");
        db.execute("CREATE TABLE " + full + " (id int PRIMARY KEY, v text)",
                "CREATE TABLE " + indexed + " (id int PRIMARY KEY, code text NOT NULL)",
                "CREATE UNIQUE INDEX " + indexed + "_code ON " + indexed + " (code)",
                "CREATE TABLE " + nothing + " (id int PRIMARY KEY)");
        PostgresSourceSettings settings = SourceHarness.settings(capture)
                .publicationOperations(Set.of(Operation.INSERT, Operation.UPDATE))
                .tables(List.of(TableSettings.of(new TableId("public", full), ReplicaIdentity.FULL),
                        TableSettings.of(new TableId("public", indexed), ReplicaIdentity.usingIndex(indexed + "_code")),
                        TableSettings.of(new TableId("public", nothing), ReplicaIdentity.NOTHING))).build();
        try (SourceHarness harness = SourceHarness.start(settings)) {
            assertThat(harness.source.isConnected()).isTrue();
            assertThat(db.query("SELECT relname::text AS name, relreplident::text AS identity FROM pg_class WHERE relname IN (?, ?, ?) "
                    + "ORDER BY relname", full, indexed, nothing)).containsExactlyInAnyOrder(Map.of("name", full, "identity", "f"),
                            Map.of("name", indexed, "identity", "i"), Map.of("name", nothing, "identity", "n"));
        }
    }

    @Test
    void warnsAboutATableWithoutPrimaryKeyUnderDefaultIdentityAndSaysWhatToDo() throws Exception {
        String keyless = capture.table("keyless");
        db.execute("CREATE TABLE " + keyless + " (note text)");
        PostgresSourceSettings settings = SourceHarness.settings(capture)
                .publicationOperations(Set.of(Operation.INSERT))
                .tables(List.of(TableSettings.of(new TableId("public", keyless), ReplicaIdentity.DEFAULT))).build();
        String log = LogCapture.during(() -> {
            try (SourceHarness harness = SourceHarness.start(settings)) {
                assertThat(harness.source.isConnected()).isTrue();
            }
        });
        assertThat(log).contains(
                "table public." + keyless + " has no primary key: with replica identity DEFAULT its updates and deletes carry no key",
                "Add a primary key, or set replica-identity = FULL or \"USING INDEX <unique index>\" for it in pgcdc.publication.tables");
    }

    @Test
    void quotesEveryIdentifier() throws Exception {
        String schema = "My Schema " + TestNames.unique("s");
        db.execute("CREATE SCHEMA \"" + schema + "\"", "CREATE TABLE \"" + schema + "\".\"Order Items\" (\"Id\" int PRIMARY KEY, \"a.b\" text)",
                "CREATE TABLE \"" + schema + "\".\"select\" (id int PRIMARY KEY)");
        TableId orderItems = new TableId(schema, "Order Items");
        TableId select = new TableId(schema, "select");
        String quotedPublication = "Pub " + capture.publication();
        PostgresSourceSettings settings = SourceHarness.settings(db, quotedPublication, capture.slot())
                .tables(List.of(TableSettings.of(orderItems, ReplicaIdentity.FULL), TableSettings.of(select, ReplicaIdentity.DEFAULT))).build();
        try (SourceHarness harness = SourceHarness.start(settings)) {
            db.execute("INSERT INTO \"" + schema + "\".\"Order Items\" VALUES (1, 'x')", "INSERT INTO \"" + schema + "\".\"select\" VALUES (2)");
            List<ChangeEvent> events = harness.take(2, Duration.ofSeconds(20));
            assertThat(events.get(0).table()).isEqualTo(orderItems);
            assertThat(events.get(0).after().asMap()).isEqualTo(Map.of("Id", 1, "a.b", "x"));
            assertThat(events.get(1).table()).isEqualTo(select);
        } finally {
            db.execute("DROP PUBLICATION IF EXISTS \"" + quotedPublication + "\"");
        }
    }

    @Test
    void reportsPartitionChangesUnderTheRootTable() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int, region text, v text, PRIMARY KEY (id, region)) PARTITION BY LIST (region)",
                "CREATE TABLE " + table + "_eu PARTITION OF " + table + " FOR VALUES IN ('eu')",
                "CREATE TABLE " + table + "_us PARTITION OF " + table + " FOR VALUES IN ('us')");
        PostgresSourceSettings settings = SourceHarness.settings(capture)
                .tables(List.of(TableSettings.of(new TableId("public", table), ReplicaIdentity.FULL))).build();
        try (SourceHarness harness = SourceHarness.start(settings)) {
            db.execute("INSERT INTO " + table + " VALUES (1, 'eu', 'a'), (2, 'us', 'b')", "UPDATE " + table + " SET v = 'c' WHERE id = 2");
            List<ChangeEvent> events = harness.take(3, Duration.ofSeconds(20));
            assertThat(events).extracting(ChangeEvent::table).containsOnly(new TableId("public", table));
            assertThat(events.get(2).before().asMap()).as("FULL identity applied to the partitions too")
                    .isEqualTo(Map.of("id", 2, "region", "us", "v", "b"));
        }
    }

    @Test
    void publishesOnlyTheConfiguredColumns() throws Exception {
        assumeThat(db.serverMajorVersion()).as("column lists need PostgreSQL 15").isGreaterThanOrEqualTo(15);
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, visible text, secret text)");
        PostgresSourceSettings settings = SourceHarness.settings(capture)
                .tables(List.of(new TableSettings(new TableId("public", table), ReplicaIdentity.DEFAULT, List.of("id", "visible")))).build();
        try (SourceHarness harness = SourceHarness.start(settings)) {
            db.execute("INSERT INTO " + table + " VALUES (1, 'a', 'hidden')");
            assertThat(harness.take(1, Duration.ofSeconds(20)).get(0).after().asMap()).isEqualTo(Map.of("id", 1, "visible", "a"));
        }
    }

    @Test
    void capturesEveryTableOfAForAllTablesPublication() throws Exception {
        PostgresDatabase own = db.createDatabase(TestNames.unique("alltables"));
        own.execute("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)");
        PostgresSourceSettings settings = SourceHarness.settings(own, capture.publication(), capture.slot()).publicationAllTables(true).build();
        try (SourceHarness harness = SourceHarness.start(settings)) {
            own.execute("INSERT INTO a VALUES (1)", "CREATE TABLE c (id int PRIMARY KEY)", "INSERT INTO b VALUES (2)", "INSERT INTO c VALUES (3)");
            assertThat(harness.take(3, Duration.ofSeconds(20))).extracting(e -> e.table().name()).containsExactly("a", "b", "c");
        } finally {
            own.dropReplicationSlotIfExists(capture.slot());
        }
    }

    /** PostgreSQL 14 to 17 cannot decode WAL older than the publication with it, on every restart: the error says what to do, and that works. */
    @Test
    void saysHowToMoveASlotOlderThanThePublicationPastItsCreation() throws Exception {
        assumeThat(db.serverMajorVersion()).as("PostgreSQL 18 skips WAL from before the publication by itself").isLessThan(18);
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)",
                "SELECT pg_create_logical_replication_slot('" + capture.slot() + "', 'pgoutput')",
                "INSERT INTO " + table + " VALUES (1)",
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + table + " WITH (publish_via_partition_root = true)",
                "INSERT INTO " + table + " VALUES (2)");
        PostgresSourceSettings settings = SourceHarness.settings(capture).tables(table)
                .publicationCreateIfNotExists(false).slotCreateIfNotExists(false).build();

        for (int start = 0; start < 2; start++) { // the same on every restart
            try (SourceHarness harness = SourceHarness.start(settings)) {
                assertThatThrownBy(() -> harness.take(1, Duration.ofSeconds(60))).isInstanceOf(SourceException.class)
                        .hasMessageContaining("replication from slot \"" + capture.slot() + "\" failed: ERROR: publication \"" + capture.publication()
                                + "\" does not exist")
                        .hasMessageContaining("The slot's position is older than publication \"" + capture.publication() + "\"")
                        .hasMessageContaining("SELECT pg_replication_slot_advance('" + capture.slot() + "', pg_current_wal_lsn());")
                        .hasMessageContaining("SELECT pg_drop_replication_slot('" + capture.slot() + "'); and start pgcdc with "
                                + "slot.create-if-not-exists = true")
                        .hasMessageContaining("the changes written between the slot's position and that moment are not delivered");
            }
        }

        db.query("SELECT pg_replication_slot_advance(?, pg_current_wal_lsn())::text", capture.slot());
        try (SourceHarness harness = SourceHarness.start(settings)) {
            db.execute("INSERT INTO " + table + " VALUES (3)");
            List<ChangeEvent> events = harness.take(1, Duration.ofSeconds(60));
            assertThat(events.get(0).after().asMap()).as("streams again after the advance; row 2 was skipped").containsEntry("id", 3);
        }
    }
    @Test
    void refusesARoleWithoutReplicationPrivilege() {
        String role = capture.role("noreplication");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)", "CREATE ROLE " + role + " LOGIN");
        PostgresSourceSettings settings = SourceHarness.settings(capture).tables(table).user(role).build();
        assertThatThrownBy(() -> new PostgresSource(settings).start()).isInstanceOf(SourceException.class)
                .hasMessageContaining("role \"" + role + "\" lacks the REPLICATION attribute: run ALTER ROLE \"" + role + "\" WITH REPLICATION;");
    }

    /**
     * Amazon RDS and Aurora grant replication through membership in rds_replication; plain PostgreSQL
     * does not pass REPLICATION on to members. The start-up check lets such a member through, and the
     * server's own refusal reaches the user, with what to run.
     */
    @Test
    void leavesTheVerdictToTheServerForAMemberOfAReplicationRole() {
        String member = capture.role("rdsmember");
        db.execute("DO $$ BEGIN CREATE ROLE rds_replication WITH REPLICATION NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                "CREATE TABLE " + table + " (id int PRIMARY KEY)", "CREATE ROLE " + member + " LOGIN IN ROLE rds_replication",
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + table + " WITH (publish_via_partition_root = true)");
        boolean since16 = db.serverMajorVersion() >= 16;
        PostgresSourceSettings settings = SourceHarness.settings(capture).tables(table).user(member)
                .publicationCreateIfNotExists(false).build();
        assertThatThrownBy(() -> new PostgresSource(settings).start()).isInstanceOf(SourceException.class)
                .hasMessageNotContaining("not ready for logical replication")
                .hasMessageContaining("cannot create replication slot \"" + capture.slot() + "\", the server refused: ERROR: "
                        + (since16 ? "permission denied to use replication slots" : "must be superuser or replication role to use replication slots"))
                .hasMessageContaining("The role needs the REPLICATION attribute of its own: ALTER ROLE \"" + member + "\" WITH REPLICATION;");

        db.execute("SELECT pg_create_logical_replication_slot('" + capture.slot() + "', 'pgoutput')");
        assertThatThrownBy(() -> new PostgresSource(settings).start()).isInstanceOf(SourceException.class)
                .hasMessageContaining("cannot start replication from slot \"" + capture.slot() + "\": FATAL: "
                        + (since16 ? "permission denied to start WAL sender" : "must be superuser or replication role to start walsender"));
    }

    @Test
    void streamsAsARoleWithReplicationOfItsOwnThatIsNoSuperuser() throws Exception {
        String replicator = capture.role("replicator");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)", "CREATE ROLE " + replicator + " LOGIN REPLICATION",
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + table + " WITH (publish_via_partition_root = true)");
        PostgresSourceSettings settings = SourceHarness.settings(capture).tables(table).user(replicator)
                .publicationCreateIfNotExists(false).build();
        try (SourceHarness harness = SourceHarness.start(settings)) {
            db.execute("INSERT INTO " + table + " VALUES (1)");
            assertThat(harness.take(1, Duration.ofSeconds(60)).get(0).after().asMap()).isEqualTo(Map.of("id", 1));
        }
    }

    @Test
    void listsEveryUnmetServerPrerequisiteAtOnce() {
        try (PostgresServer server = PostgresServer.builder().setting("wal_level", "replica").setting("max_replication_slots", "0")
                .setting("max_wal_senders", "0").start()) {
            server.execute("CREATE TABLE t (id int PRIMARY KEY)");
            PostgresSourceSettings settings = SourceHarness.settings(server, capture.publication(), capture.slot()).tables("t").build();
            assertThatThrownBy(() -> new PostgresSource(settings).start()).isInstanceOf(SourceException.class)
                    .hasMessageContaining("PostgreSQL is not ready for logical replication: wal_level is \"replica\"; logical replication "
                            + "needs wal_level = logical")
                    .hasMessageContaining("max_replication_slots = 0 and 0 slots exist")
                    .hasMessageContaining("max_wal_senders = 0 and 0 walsenders are running");
        }
    }
}
