package dev.pgcdc.api.snapshot;

import dev.pgcdc.api.event.TableId;
import java.sql.Connection;

/**
 * Describes tables for snapshot reads the way the source's stream sees them, so that a row read by a
 * snapshot and the same row streamed produce equal {@link dev.pgcdc.api.event.ChangeEvent} values.
 * Implemented by the source (it owns type decoding). Thread-safe; each call uses only the connection
 * it is given.
 */
public interface TableCatalog {

    /**
     * The table's current shape, read from the catalog over {@code connection} (which may be inside a
     * transaction; nothing is committed or rolled back).
     *
     * @throws dev.pgcdc.api.CdcException when the table does not exist or the catalog cannot be read, naming the table
     */
    TableShape describe(Connection connection, TableId table);
}
