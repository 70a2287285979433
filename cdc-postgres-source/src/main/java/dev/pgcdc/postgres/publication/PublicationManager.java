package dev.pgcdc.postgres.publication;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.postgres.connection.Sql;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the publication matches the configuration: the tables exist and have their replica
 * identity; the publication exists (created when managed), publishes the configured operations
 * and contains every configured table (with its column list, PostgreSQL 15+) and, for
 * partitioned tables, publishes via the partition root. Differences are reported precisely; a
 * managed publication is altered to match, otherwise missing tables or operations are an error
 * and extra ones a warning (their events are dropped by the source). Every identifier is quoted.
 */
public final class PublicationManager {

    private static final Logger LOG = LoggerFactory.getLogger(PublicationManager.class);
    private static final List<String> OPERATION_ORDER = List.of("insert", "update", "delete", "truncate");

    private final Connection connection;
    private final int serverVersionNum;
    private final ReplicaIdentities identities;

    public PublicationManager(Connection connection, int serverVersionNum) {
        this.connection = connection;
        this.serverVersionNum = serverVersionNum;
        this.identities = new ReplicaIdentities(connection);
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
        boolean anyPartitioned = false;
        for (PublishedTable table : spec.tables()) {
            if (!table.columns().isEmpty() && serverVersionNum < 150000) {
                problems.add("a column list for " + table.table() + " needs PostgreSQL 15 or newer");
            }
            ReplicaIdentities.TableState state = identities.describe(table.table());
            if (state == null) {
                problems.add("table " + Sql.table(table.table()) + " does not exist (names are case-sensitive as configured)");
                continue;
            }
            anyPartitioned |= state.partitioned();
            identities.apply(table, state);
        }
        if (!problems.isEmpty()) {
            throw new SourceException("publication \"" + spec.name() + "\": " + String.join("; ", problems));
        }
        return anyPartitioned;
    }

    private void create(PublicationSpec spec) {
        String sql = createStatement(spec);
        if (!spec.manage()) {
            throw new SourceException("publication \"" + spec.name() + "\" does not exist; set publication.create-if-not-exists = true or run: "
                    + sql + ";");
        }
        LOG.info("creating publication {}: {}", spec.name(), sql);
        execute(sql);
    }

    String createStatement(PublicationSpec spec) {
        StringBuilder sql = new StringBuilder("CREATE PUBLICATION ").append(Sql.identifier(spec.name()));
        if (spec.allTables()) {
            sql.append(" FOR ALL TABLES");
        } else {
            sql.append(" FOR TABLE ").append(tableList(spec.tables()));
        }
        return sql.append(" WITH (").append(options(spec)).append(')').toString();
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

    private static String options(PublicationSpec spec) {
        List<String> operations = new ArrayList<>();
        for (String operation : OPERATION_ORDER) {
            if (spec.operations().contains(operation)) {
                operations.add(operation);
            }
        }
        return "publish = " + Sql.literal(String.join(", ", operations)) + ", publish_via_partition_root = true";
    }

    private void reconcile(PublicationSpec spec, Existing existing, boolean anyPartitioned) throws SQLException {
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        boolean alterTables = false;
        boolean alterOptions = false;

        Set<String> missingOps = new TreeSet<>(spec.operations());
        missingOps.removeAll(existing.operations);
        Set<String> extraOps = new TreeSet<>(existing.operations);
        extraOps.removeAll(spec.operations());
        if (!missingOps.isEmpty()) {
            missing.add("it does not publish " + String.join(", ", missingOps));
            alterOptions = true;
        }
        if (!extraOps.isEmpty()) {
            extra.add("it also publishes " + String.join(", ", extraOps));
            alterOptions = true;
        }
        if (anyPartitioned && !existing.viaRoot) {
            missing.add("it does not publish via the partition root (publish_via_partition_root = false), so changes of partitioned tables "
                    + "would be reported under their partitions");
            alterOptions = true;
        }
        if (spec.allTables() && !existing.allTables) {
            throw new SourceException("publication \"" + spec.name() + "\" is not FOR ALL TABLES as configured (publication.all-tables = true); "
                    + "PostgreSQL cannot alter that: drop it (DROP PUBLICATION " + Sql.identifier(spec.name()) + ") to let pgcdc create it, "
                    + "or set publication.all-tables = false");
        }
        if (!existing.allTables) {
            for (PublishedTable table : spec.tables()) {
                if (!existing.tables.contains(table.table())) {
                    missing.add("it does not contain table " + table.table());
                    alterTables = true;
                } else if (serverVersionNum >= 150000) {
                    List<String> columns = existing.columnLists.getOrDefault(table.table(), List.of());
                    if (!new HashSet<>(columns).equals(new HashSet<>(table.columns()))) {
                        missing.add("its column list for " + table.table() + " is " + (columns.isEmpty() ? "all columns" : columns)
                                + ", configured " + (table.columns().isEmpty() ? "all columns" : table.columns()));
                        alterTables = true;
                    }
                }
            }
            if (!spec.allTables()) {
                Set<TableId> configured = new HashSet<>();
                spec.tables().forEach(t -> configured.add(t.table()));
                for (TableId table : existing.tables) {
                    if (!configured.contains(table)) {
                        extra.add("it also contains table " + table);
                        alterTables = true;
                    }
                }
            }
        } else if (spec.tables().stream().anyMatch(t -> !t.columns().isEmpty())) {
            missing.add("it is FOR ALL TABLES, which cannot have the configured column lists");
        }
        if (missing.isEmpty() && extra.isEmpty()) {
            return;
        }
        List<String> all = new ArrayList<>(missing);
        all.addAll(extra);
        String differences = "publication \"" + spec.name() + "\" differs from the configuration: " + String.join("; ", all);
        List<String> statements = new ArrayList<>();
        if (alterTables && !existing.allTables) {
            statements.add("ALTER PUBLICATION " + Sql.identifier(spec.name()) + " SET TABLE " + tableList(spec.tables()));
        }
        if (alterOptions) {
            statements.add("ALTER PUBLICATION " + Sql.identifier(spec.name()) + " SET (" + options(spec) + ")");
        }
        if (spec.manage() && !statements.isEmpty()) {
            LOG.warn("{}; altering it: {}", differences, String.join("; ", statements));
            for (String statement : statements) {
                execute(statement);
            }
            return;
        }
        if (!missing.isEmpty()) {
            throw new SourceException(differences + ". Set publication.create-if-not-exists = true to let pgcdc alter it, or run: "
                    + String.join("; ", statements) + ";");
        }
        LOG.warn("{}; events of tables that are not configured are dropped", differences);
    }

    private void execute(String sql) {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new SourceException("cannot run " + sql + ": " + e.getMessage(), e);
        }
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
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT schemaname, tablename FROM pg_catalog.pg_publication_tables WHERE pubname = ?")) {
            statement.setString(1, name);
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
