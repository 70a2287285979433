package dev.pgcdc.testkit.postgres;

import dev.pgcdc.testkit.TestNames;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;

/** Checks that a server decodes its WAL with pgoutput: the heart of what pgcdc needs from PostgreSQL. */
public final class LogicalDecodingProbe {
    private LogicalDecodingProbe() {
    }

    /**
     * Creates a table, a publication and a pgoutput slot, inserts a row holding {@code text}, and
     * returns the pgoutput messages (protocol 1) the slot holds, concatenated; the slot is dropped.
     */
    public static byte[] insertAndPeek(PostgresDatabase postgres, String text) {
        String table = TestNames.unique("probe");
        String publication = table + "_pub";
        String slot = table + "_slot";
        postgres.execute("CREATE TABLE " + table + " (id serial PRIMARY KEY, name text NOT NULL)",
                "CREATE PUBLICATION " + publication + " FOR TABLE " + table);
        postgres.queryValue(String.class, "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')", slot);
        try {
            postgres.execute("INSERT INTO " + table + " (name) VALUES ('" + text + "')");
            List<Map<String, Object>> changes = postgres.query("SELECT data FROM pg_logical_slot_peek_binary_changes("
                    + "?, NULL, NULL, 'proto_version', '1', 'publication_names', ?)", slot, publication);
            ByteArrayOutputStream messages = new ByteArrayOutputStream();
            changes.forEach(row -> messages.writeBytes((byte[]) row.get("data")));
            return messages.toByteArray();
        } finally {
            postgres.dropReplicationSlotIfExists(slot);
            postgres.execute("DROP PUBLICATION " + publication, "DROP TABLE " + table);
        }
    }
}
