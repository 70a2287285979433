package dev.pgcdc.kafka;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.sink.Sink;
import java.util.List;
import org.slf4j.LoggerFactory;

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

    /**
     * Calls {@code callback} (durable when {@code error} is null). An exception it throws is kept from
     * the calling thread (the producer's I/O thread only logs it; a loop over callbacks must go on),
     * logged, and returned as the failure the writer stops with; null when it returned normally.
     */
    static SinkException settle(Sink.WriteCallback callback, Throwable error) {
        try {
            if (error == null) {
                callback.onDurable();
            } else {
                callback.onFailure(error);
            }
            return null;
        } catch (RuntimeException | Error e) {
            SinkException stopped = SinkErrors.callbackFailed(e);
            LoggerFactory.getLogger(RecordWriter.class).error(stopped.getMessage(), e);
            return stopped;
        }
    }
}
