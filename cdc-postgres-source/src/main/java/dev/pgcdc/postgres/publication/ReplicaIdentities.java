package dev.pgcdc.postgres.publication;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.postgres.connection.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that captured tables exist and gives each the replica identity the configuration names
 * for it ({@code ALTER TABLE ... REPLICA IDENTITY}, under a lock timeout) when it differs; for a
 * partitioned table, its partitions too, since the partition a row lives in decides what old row
 * PostgreSQL writes. A table whose identity is not configured is left as it is: a DBA may have
 * chosen it. Warns about tables whose DEFAULT identity has no primary key to use. On a standby (read-only:
 * the identity is the primary's, replicated) an identity that differs is an error saying what to run
 * on the primary.
 */
public final class ReplicaIdentities {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaIdentities.class);

    private static final String TABLE_QUERY = "SELECT c.oid, c.relkind, c.relreplident, "
            + "(SELECT i.relname FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid "
            + "  WHERE x.indrelid = c.oid AND x.indisreplident), "
            + "EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p') "
            + "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?";

    /**
     * What the catalog says of a captured table.
     *
     * @param oid           pg_class oid
     * @param partitioned   relkind p
     * @param identity      relreplident
     * @param identityIndex the replica identity index, if any
     * @param hasPrimaryKey whether it has a primary key
     */
    public record TableState(long oid, boolean partitioned, char identity, String identityIndex, boolean hasPrimaryKey) {
    }

    private final Connection connection;
    private final boolean standby;

    public ReplicaIdentities(Connection connection) {
        this(connection, false);
    }

    /** @param standby the server is a standby: identities are checked, never changed */
    public ReplicaIdentities(Connection connection, boolean standby) {
        this.connection = connection;
        this.standby = standby;
    }

    /** The table's state, or null when it does not exist; a {@link SourceException} when it is no table. */
    public TableState describe(TableId table) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(TABLE_QUERY)) {
            statement.setString(1, table.schema());
            statement.setString(2, table.name());
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                char kind = row.getString(2).charAt(0);
                if (kind != 'r' && kind != 'p') {
                    throw new SourceException(Sql.table(table) + " is not a table (relkind '" + kind + "'); only tables and partitioned tables "
                            + "can be captured");
                }
                return new TableState(row.getLong(1), kind == 'p', row.getString(3).charAt(0), row.getString(4), row.getBoolean(5));
            }
        }
    }

    /**
     * Applies the configured identity where it differs (nothing when none is configured), warns about
     * DEFAULT identity without primary key, and says which identity the table has now.
     *
     * @return for the start-up log: the identity in use and where it comes from, e.g. {@code public.orders FULL (configured; was DEFAULT)}
     */
    public String apply(PublishedTable table, TableState state) throws SQLException {
        PublishedTable.Identity wanted = table.identity();
        String inUse;
        char effective;
        if (wanted == null) {
            effective = state.identity();
            inUse = table.table() + " " + describe(state) + " (not configured; left as it is)";
            if (state.partitioned()) {
                List<String> others = partitionsWithOtherIdentity(state.oid(), state.identity());
                if (!others.isEmpty()) {
                    inUse += ", partitions with another identity: " + String.join(", ", others);
                }
            }
        } else {
            effective = wanted.kind();
            List<String> statements = new ArrayList<>();
            boolean differs = state.identity() != wanted.kind() || wanted.kind() == 'i' && !wanted.index().equals(state.identityIndex());
            if (differs) {
                statements.add(alterStatement(Sql.table(table.table()), wanted));
            }
            if (state.partitioned() && wanted.kind() != 'i') {
                for (String partition : partitionsWithOtherIdentity(state.oid(), wanted.kind())) {
                    statements.add(alterStatement(partition, wanted));
                }
            }
            if (statements.isEmpty()) {
                inUse = table.table() + " " + wanted.sql() + " (configured)";
            } else if (standby) {
                throw new SourceException("the replica identity of " + table.table() + " is " + describe(state) + (differs ? ""
                        : " on some of its partitions") + ", configured " + wanted.sql() + ": pgcdc is connected to a standby, which has the "
                        + "primary's tables and cannot change them. Run on the primary: " + String.join("; ", statements) + "; or remove "
                        + "replica-identity for " + table.table() + " from pgcdc.publication.tables to take the table as it is");
            } else {
                LOG.info("setting the replica identity of {} to {} as configured (the table's was {}): {}", table.table(), wanted.sql(),
                        describe(state), String.join("; ", statements));
                DdlTransaction.run(connection, "set the replica identity of " + Sql.table(table.table()) + " to " + wanted.sql(), statements,
                        "Run as the table's owner: " + String.join("; ", statements) + "; or remove replica-identity for " + table.table()
                                + " from pgcdc.publication.tables to leave the table as it is.");
                inUse = table.table() + " " + wanted.sql() + " (configured; " + (differs ? "was " + describe(state) : "set on its partitions")
                        + ")";
            }
        }
        if (effective == 'd' && !state.hasPrimaryKey()) {
            LOG.warn("table {} has no primary key: with replica identity DEFAULT its updates and deletes carry no key (PostgreSQL even rejects "
                    + "UPDATE and DELETE on it while a publication publishes them). Add a primary key, or set replica-identity = FULL or "
                    + "\"USING INDEX <unique index>\" for it in pgcdc.publication.tables", table.table());
        }
        return inUse;
    }

    private List<String> partitionsWithOtherIdentity(long rootOid, char identity) throws SQLException {
        List<String> partitions = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT t.relid::regclass::text FROM pg_catalog.pg_partition_tree(?::oid::regclass) t "
                + "JOIN pg_catalog.pg_class c ON c.oid = t.relid WHERE t.relid <> ?::oid::regclass AND c.relreplident <> ?")) {
            statement.setLong(1, rootOid);
            statement.setLong(2, rootOid);
            statement.setString(3, String.valueOf(identity));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    partitions.add(rows.getString(1));
                }
            }
        }
        return partitions;
    }

    private static String alterStatement(String quotedTable, PublishedTable.Identity identity) {
        return "ALTER TABLE " + quotedTable + " REPLICA IDENTITY " + identity.sql();
    }

    private static String describe(TableState state) {
        return switch (state.identity()) {
            case 'd' -> "DEFAULT";
            case 'f' -> "FULL";
            case 'n' -> "NOTHING";
            case 'i' -> "USING INDEX " + state.identityIndex();
            default -> String.valueOf(state.identity());
        };
    }
}
