package dev.pgcdc.kafka;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.sink.Sink;
import java.util.List;

/**
 * How the {@link KafkaSink} hands records to its producer: {@link AtLeastOnceWriter} (idempotent
 * producer, a write is durable when Kafka acknowledged all its records) or
 * {@link ExactlyOnceWriter} (transactions with the last position). Same threading as {@link Sink}.
 */
interface RecordWriter {

    void write(ChangeEvent event, List<OutRecord> records, Sink.WriteCallback callback);

    void flush() throws InterruptedException;

    /** Stops; writes not yet durable are reported failed, never durable. */
    void close();
}
