package dev.pgcdc.postgres.publication;

import java.util.List;
import java.util.Set;

/**
 * The publication as configured.
 *
 * @param name       publication name
 * @param manage     create it when missing and alter it when it differs
 * @param operations published operations, lower case: insert, update, delete, truncate
 * @param tables     the tables it must contain (the heartbeat table included)
 * @param allTables  whether it is {@code FOR ALL TABLES}
 */
public record PublicationSpec(String name, boolean manage, Set<String> operations, List<PublishedTable> tables, boolean allTables) {

    public PublicationSpec {
        operations = Set.copyOf(operations);
        tables = List.copyOf(tables);
    }
}
