package dev.pgcdc.examples.audit;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.handler.RecordHeader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes one line per row change to a single audit topic: {@code INSERT public.customers id=1}.
 * Key: the table name, so one table's changes stay in order on one partition.
 */
final class AuditTrailHandler implements dev.pgcdc.api.handler.ChangeHandler {

    private final String topic;
    private final boolean includeValues;

    AuditTrailHandler(String topic, boolean includeValues) {
        this.topic = topic;
        this.includeValues = includeValues;
    }

    @Override
    public List<OutRecord> handle(ChangeEvent event) {
        if (event.operation() == Operation.MESSAGE || event.operation() == Operation.TRUNCATE) {
            return List.of(); // filtered out: acknowledged at once, nothing written
        }
        Row row = event.identifyingRow();
        StringBuilder line = new StringBuilder().append(event.operation()).append(' ').append(event.table());
        List<String> columns = includeValues || event.keyColumns().isEmpty()
                ? row.columns().stream().map(c -> c.name()).toList() : event.keyColumns();
        for (String column : columns) {
            line.append(' ').append(column).append('=').append(row.value(column));
        }
        byte[] key = event.table().toString().getBytes(StandardCharsets.UTF_8);
        byte[] value = line.toString().getBytes(StandardCharsets.UTF_8);
        return List.of(new OutRecord(topic, key, value, List.of(RecordHeader.of("audit.lsn", event.lsn().toString()))));
    }
}
