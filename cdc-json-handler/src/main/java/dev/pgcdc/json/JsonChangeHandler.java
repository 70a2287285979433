package dev.pgcdc.json;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.handler.RecordHeader;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * The built-in {@code json} handler: one record per event for the topic mapped to its table
 * (topic {@code null}), key = a JSON object of the key columns (primary key, or the replica
 * identity columns of a delete), value = the change envelope:
 * <pre>{"op":"c|u|d|r|t|m", "before":{...}|null, "after":{...}|null,
 *  "source":{"schema","table","lsn","txId","commitTime","snapshot":bool}, "tsMs":...}</pre>
 * with lossless values (see {@link ColumnValueWriter}); or, with {@code envelope = debezium} or
 * {@code debezium-schemaless}, Debezium's PostgreSQL connector format with its Connect schemas and value
 * encodings ({@link dev.pgcdc.json.debezium.DebeziumEnvelopeWriter}) so that Debezium consumers keep working.
 * A delete is followed by a tombstone (same key, null value) when {@code tombstone-after-delete} is on
 * (Debezium envelopes: {@code debezium.tombstones.on.delete}, on by default); a truncate has no key;
 * logical messages go to {@code message-topic} or are dropped.
 *
 * <p>Threading: as {@link ChangeHandler}, one thread at a time; it reuses one JSON generator and
 * buffer. Written with Jackson's streaming generator, so per event it allocates little more than
 * the key and value arrays.
 */
public final class JsonChangeHandler implements ChangeHandler {

    private final JsonHandlerSettings settings;
    private final Clock clock;
    private final EventJsonWriter writer;

    public JsonChangeHandler(JsonHandlerSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /** @param clock the source of {@code tsMs}, the processing time */
    public JsonChangeHandler(JsonHandlerSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.writer = new EventJsonWriter(settings);
    }

    @Override
    public List<OutRecord> handle(ChangeEvent event) {
        String topic = null;
        if (event.operation() == Operation.MESSAGE) {
            topic = settings.messageTopic();
            if (topic == null) {
                return List.of(); // messages are not wanted: the event is acknowledged without a record
            }
        }
        byte[] key = writer.key(event);
        byte[] value = writer.value(event, clock.millis());
        List<RecordHeader> headers = settings.headers() ? headers(event) : List.of();
        OutRecord record = new OutRecord(topic, key, value, headers);
        if (event.operation() == Operation.DELETE && settings.tombstonesOnDelete() && key != null) {
            return List.of(record, new OutRecord(topic, key, null, headers));
        }
        return List.of(record);
    }

    public JsonHandlerSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        writer.close();
    }

    private static List<RecordHeader> headers(ChangeEvent event) {
        return List.of(
                RecordHeader.of("pgcdc.op", event.operation().code()),
                RecordHeader.of("pgcdc.table", event.table() == null ? "" : event.table().toString()),
                RecordHeader.of("pgcdc.position", event.position().toString()));
    }
}
