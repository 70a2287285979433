package dev.pgcdc.kafka;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Small events and records for the sink's tests. */
final class TestEvents {

    static final TableId USERS = TableId.parse("public.users");

    private TestEvents() {
    }

    /** An insert into {@code table} at position {@code 0/1000 + n # 0}. */
    static ChangeEvent insert(TableId table, long n) {
        Lsn lsn = Lsn.of(0x1000 + n);
        return ChangeEvent.builder(Operation.INSERT).table(table).after(Row.of(Map.of("id", String.valueOf(n))))
                .lsn(lsn).commitLsn(lsn).position(new Position(lsn, 0)).build();
    }

    static ChangeEvent insert(long n) {
        return insert(USERS, n);
    }

    static OutRecord record(String key, String value) {
        return OutRecord.of(bytes(key), bytes(value));
    }

    static List<OutRecord> records(String... keys) {
        return java.util.Arrays.stream(keys).map(key -> record(key, "v-" + key)).toList();
    }

    static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
