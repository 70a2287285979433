package dev.pgcdc.postgres.publication;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.postgres.connection.Sql;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the publication matches the configuration: the tables exist and have their replica
 * identity; the publication exists (created when managed), publishes the configured operations
 * and contains every configured table (with its column list, PostgreSQL 15+) and, for
 * partitioned tables, publishes via the partition root. Differences are reported precisely. A
 * managed publication ({@code create-if-not-exists}) gets what it lacks ({@code ADD TABLE}, never
 * {@code SET TABLE}): tables it holds that are not configured stay, because the publication may be
 * shared with another consumer; they are reported, and their events dropped by the source. An
 * unmanaged one that lacks something is an error that says what to run. Every statement runs
 * under a lock timeout, every identifier is quoted, and every change is logged.
 *
 * <p>On a standby (decoding from a standby, PostgreSQL 16+) nothing is created or altered: the
 * publication and the tables are the primary's, replicated. What is missing is an error naming it,
 * with the statements to run on the primary.
 */
public final class PublicationManager {

    private static final Logger LOG = LoggerFactory.getLogger(PublicationManager.class);
    private static final List<String> OPERATION_ORDER = List.of("insert", "update", "delete", "truncate");

    private final Connection connection;
    private final int serverVersionNum;
    private final ReplicaIdentities identities;
    private final boolean standby;

    public PublicationManager(Connection connection, int serverVersionNum) {
        this(connection, serverVersionNum, false);
    }

    /** @param standby the server is a standby: the publication and replica identities are checked, never changed */
    public PublicationManager(Connection connection, int serverVersionNum, boolean standby) {
        this.connection = connection;
        this.serverVersionNum = serverVersionNum;
        this.identities = new ReplicaIdentities(connection, standby);
        this.standby = standby;
    }

    /** Checks, and where allowed creates or alters, the publication and the tables' replica identity. */
    public void ensure(PublicationSpec spec) {
        try {
            boolean anyPartitioned = prepareTables(spec);
            Existing existing = read(spec.name());
            if (existing == null) {
                create(spec);
                return;
            }
            reconcile(spec, existing, anyPartitioned);
        } catch (SQLException e) {
            throw new SourceException("cannot check publication \"" + spec.name() + "\": " + e.getMessage(), e);
        }
    }

    private boolean prepareTables(PublicationSpec spec) throws SQLException {
        List<String> problems = new ArrayList<>();
        Map<PublishedTable, ReplicaIdentities.TableState> states = new LinkedHashMap<>();
        boolean anyPartitioned = false;
        for (PublishedTable table : spec.tables()) {
            if (!table.columns().isEmpty() && serverVersionNum < 150000) {
                problems.add("a column list for " + table.table() + " needs PostgreSQL 15 or newer");
            }
            ReplicaIdentities.TableState state = identities.describe(table.table());
            if (state == null) {
                problems.add("table " + Sql.table(table.table()) + " does not exist (names are case-sensitive as configured)"
                        + (standby ? "; pgcdc is connected to a standby, which has the primary's tables: create it on the primary" : ""));
                continue;
            }
            anyPartitioned |= state.partitioned();
            states.put(table, state);
        }
        if (!problems.isEmpty()) {
            throw new SourceException("publication \"" + spec.name() + "\": " + String.join("; ", problems));
        }
        List<String> inUse = new ArrayList<>();
        for (Map.Entry<PublishedTable, ReplicaIdentities.TableState> entry : states.entrySet()) {
            inUse.add(identities.apply(entry.getKey(), entry.getValue()));
        }
        if (!inUse.isEmpty()) {
            LOG.info("replica identity in use: {}", String.join("; ", inUse));
        }
        return anyPartitioned;
    }

    private void create(PublicationSpec spec) {
        String sql = createStatement(spec);
        if (standby) {
            throw new SourceException("publication \"" + spec.name() + "\" does not exist on the standby pgcdc is connected to. A standby has "
                    + "the publications of its primary and cannot create one: create it on the primary (it then replicates here), e.g.: "
                    + sql + ";");
        }
        if (!spec.manage()) {
            throw new SourceException("publication \"" + spec.name() + "\" does not exist; set publication.create-if-not-exists = true or run: "
                    + sql + ";");
        }
        LOG.info("creating publication {}: {}", spec.name(), sql);
        DdlTransaction.run(connection, "create publication " + Sql.identifier(spec.name()), List.of(sql),
                "Run as a role that may create it and owns the tables: " + sql + ";");
    }

    String createStatement(PublicationSpec spec) {
        StringBuilder sql = new StringBuilder("CREATE PUBLICATION ").append(Sql.identifier(spec.name()));
        if (spec.allTables()) {
            sql.append(" FOR ALL TABLES");
        } else {
            sql.append(" FOR TABLE ").append(tableList(spec.tables()));
        }
        return sql.append(" WITH (").append(publishOption(spec)).append(", publish_via_partition_root = true)").toString();
    }

    private static String tableList(List<PublishedTable> tables) {
        List<String> parts = new ArrayList<>();
        for (PublishedTable table : tables) {
            String part = Sql.table(table.table());
            if (!table.columns().isEmpty()) {
                List<String> quoted = new ArrayList<>();
                for (String column : table.columns()) {
                    quoted.add(Sql.identifier(column));
                }
                part += " (" + String.join(", ", quoted) + ")";
            }
            parts.add(part);
        }
        return String.join(", ", parts);
    }

    private static String publishOption(PublicationSpec spec) {
        List<String> operations = new ArrayList<>();
        for (String operation : OPERATION_ORDER) {
            if (spec.operations().contains(operation)) {
                operations.add(operation);
            }
        }
        return "publish = " + Sql.literal(String.join(", ", operations));
    }

    private void reconcile(PublicationSpec spec, Existing existing, boolean anyPartitioned) {
        String publication = Sql.identifier(spec.name());
        if (spec.allTables() && !existing.allTables) {
            throw new SourceException("publication \"" + spec.name() + "\" is not FOR ALL TABLES as configured (publication.all-tables = true); "
                    + "PostgreSQL cannot alter that: drop it (DROP PUBLICATION " + publication + ") to let pgcdc create it, "
                    + "or set publication.all-tables = false");
        }
        if (existing.allTables && spec.tables().stream().anyMatch(t -> !t.columns().isEmpty())) {
            throw new SourceException("publication \"" + spec.name() + "\" is FOR ALL TABLES, which cannot have the configured column lists: "
                    + "remove columns from pgcdc.publication.tables, or use a publication that lists its tables");
        }
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        List<String> statements = new ArrayList<>();
        List<String> options = new ArrayList<>();

        Set<String> missingOps = new TreeSet<>(spec.operations());
        missingOps.removeAll(existing.operations);
        Set<String> extraOps = new TreeSet<>(existing.operations);
        extraOps.removeAll(spec.operations());
        if (!missingOps.isEmpty()) {
            missing.add("it does not publish " + String.join(", ", missingOps));
        }
        if (!extraOps.isEmpty()) {
            extra.add("it also publishes " + String.join(", ", extraOps));
        }
        if (!missingOps.isEmpty() || !extraOps.isEmpty()) {
            options.add(publishOption(spec));
        }
        if (anyPartitioned && !existing.viaRoot) {
            missing.add("it does not publish via the partition root (publish_via_partition_root = false), so changes of partitioned tables "
                    + "would be reported under their partitions");
            options.add("publish_via_partition_root = true");
        }
        List<TableId> notCaptured = new ArrayList<>();
        if (!existing.allTables) {
            List<PublishedTable> absent = new ArrayList<>();
            for (PublishedTable table : spec.tables()) {
                if (!existing.tables.contains(table.table())) {
                    missing.add("it does not contain table " + table.table());
                    absent.add(table);
                } else if (serverVersionNum >= 150000) {
                    List<String> columns = existing.columnLists.getOrDefault(table.table(), List.of());
                    if (!new HashSet<>(columns).equals(new HashSet<>(table.columns()))) {
                        missing.add("its column list for " + table.table() + " is " + (columns.isEmpty() ? "all columns" : columns)
                                + ", configured " + (table.columns().isEmpty() ? "all columns" : table.columns()));
                        // only this table's entry is replaced (in the same transaction): the publication's other tables stay as they are
                        statements.add("ALTER PUBLICATION " + publication + " DROP TABLE " + Sql.table(table.table()));
                        absent.add(table);
                    }
                }
            }
            if (!absent.isEmpty()) {
                statements.add("ALTER PUBLICATION " + publication + " ADD TABLE " + tableList(absent));
            }
            Set<TableId> configured = new HashSet<>();
            spec.tables().forEach(t -> configured.add(t.table()));
            for (TableId table : existing.tables) {
                if (!configured.contains(table)) {
                    notCaptured.add(table);
                }
            }
        }
        if (!options.isEmpty()) {
            statements.add("ALTER PUBLICATION " + publication + " SET (" + String.join(", ", options) + ")");
        }
        if (!notCaptured.isEmpty()) {
            // Never removed: a publication may be shared with another consumer, which would silently lose these tables.
            List<String> quoted = notCaptured.stream().map(Sql::table).toList();
            LOG.warn("publication \"{}\" also contains table(s) {}, which pgcdc does not capture: left in place, since another consumer may "
                    + "read them; pgcdc decodes and drops their changes. If nothing else needs them, remove them with: ALTER PUBLICATION {} "
                    + "DROP TABLE {};", spec.name(), notCaptured.stream().map(TableId::toString).collect(Collectors.joining(", ")), publication,
                    String.join(", ", quoted));
        }
        String differences = "publication \"" + spec.name() + "\" differs from the configuration: " + String.join("; ", missing)
                + (missing.isEmpty() || extra.isEmpty() ? "" : "; ") + String.join("; ", extra);
        String run = String.join("; ", statements) + ";";
        if (!missing.isEmpty() && standby) {
            throw new SourceException(differences + ". pgcdc is connected to a standby, which has the primary's publication and cannot "
                    + "alter it: run on the primary: " + run);
        }
        if (!missing.isEmpty() && !spec.manage()) {
            throw new SourceException(differences + ". Set publication.create-if-not-exists = true to let pgcdc alter it, or run: " + run);
        }
        if (statements.isEmpty()) {
            return;
        }
        if (!spec.manage() || standby) {
            LOG.warn("{}; the events of the operations not configured reach the handlers", differences);
            return;
        }
        LOG.info("{}; altering it: {}", differences, run);
        DdlTransaction.run(connection, "alter publication " + publication, statements, "Run as the publication's owner: " + run);
    }

    /** The publication as the catalog has it. */
    private static final class Existing {
        boolean allTables;
        boolean viaRoot;
        final Set<String> operations = new LinkedHashSet<>();
        final Set<TableId> tables = new LinkedHashSet<>();
        final Map<TableId, List<String>> columnLists = new HashMap<>();
    }

    private Existing read(String name) throws SQLException {
        Existing existing = new Existing();
        long oid;
        try (PreparedStatement statement = connection.prepareStatement("SELECT oid, puballtables, pubinsert, pubupdate, pubdelete, pubtruncate, "
                + "pubviaroot FROM pg_catalog.pg_publication WHERE pubname = ?")) {
            statement.setString(1, name);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                oid = row.getLong(1);
                existing.allTables = row.getBoolean(2);
                for (int i = 0; i < OPERATION_ORDER.size(); i++) {
                    if (row.getBoolean(3 + i)) {
                        existing.operations.add(OPERATION_ORDER.get(i));
                    }
                }
                existing.viaRoot = row.getBoolean(7);
            }
        }
        // pg_publication_tables lists the leaf partitions instead of a member root when publish_via_partition_root is off,
        // and pg_publication_rel lacks tables published through their schema: a member is in either
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT schemaname, tablename FROM pg_catalog.pg_publication_tables WHERE pubname = ? UNION "
                + "SELECT n.nspname, c.relname FROM pg_catalog.pg_publication_rel r JOIN pg_catalog.pg_class c ON c.oid = r.prrelid "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE r.prpubid = ?::oid")) {
            statement.setString(1, name);
            statement.setLong(2, oid);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    existing.tables.add(new TableId(rows.getString(1), rows.getString(2)));
                }
            }
        }
        if (serverVersionNum >= 150000) {
            readColumnLists(oid, existing);
        }
        return existing;
    }

    private void readColumnLists(long publicationOid, Existing existing) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT n.nspname, c.relname, "
                + "(SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute a "
                + "  WHERE a.attrelid = r.prrelid AND a.attnum = ANY (r.prattrs)) "
                + "FROM pg_catalog.pg_publication_rel r JOIN pg_catalog.pg_class c ON c.oid = r.prrelid "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE r.prpubid = ?::oid AND r.prattrs IS NOT NULL")) {
            statement.setLong(1, publicationOid);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Array array = rows.getArray(3);
                    List<String> columns = array == null ? List.of() : List.of((String[]) array.getArray());
                    existing.columnLists.put(new TableId(rows.getString(1), rows.getString(2)), columns);
                }
            }
        }
    }
}
