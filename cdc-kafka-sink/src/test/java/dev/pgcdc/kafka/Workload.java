package dev.pgcdc.kafka;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import java.time.Instant;
import java.util.List;

/**
 * A deterministic change stream for the sink's tests: event {@code n} changes row {@code n % keys}
 * of {@code table} (an insert the first time, then updates) and carries {@code seq = n}, so a reader
 * can check that each change arrived, once, and in order per key. Event {@code n} is its own
 * transaction with commit LSN {@code n * 64}.
 */
public record Workload(TableId table, int keys) {

    public static final List<Column> COLUMNS = List.of(
            new Column("id", 23, "int4", -1, true),
            new Column("seq", 20, "int8", -1, false),
            new Column("name", 25, "text", -1, false),
            new Column("created_on", 1184, "timestamptz", -1, false));

    private static final Instant BASE = Instant.parse("2024-01-01T00:00:00Z");

    public ChangeEvent event(long n) {
        int id = (int) (n % keys);
        Lsn lsn = lsnOf(n);
        Row after = new Row(COLUMNS, new Object[] {id, n, "user-" + n, BASE.plusMillis(n)});
        return ChangeEvent.builder(n <= keys ? Operation.INSERT : Operation.UPDATE).table(table).after(after)
                .keyColumns(List.of("id")).transactionId(1000 + n).lsn(lsn).commitLsn(lsn).commitTime(BASE.plusMillis(n))
                .position(new Position(lsn, 0)).build();
    }

    public static Lsn lsnOf(long n) {
        return Lsn.of(n * 64);
    }
}
