package dev.pgcdc.api.pipeline;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.handler.RecordHeader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns an event the handler failed on into the record written to the dead-letter topic. The default
 * writes the event's text form as the value and the error in headers; the Kafka module supplies one
 * that writes the event as JSON. Called on the pipeline thread.
 */
@FunctionalInterface
public interface DeadLetterEncoder {

    /** The dead-letter record for {@code event}, addressed to {@code topic}. */
    OutRecord encode(ChangeEvent event, Throwable error, String topic);

    /** Value = {@code event.toString()}; headers {@code pgcdc.error.class}, {@code pgcdc.error.message}, {@code pgcdc.table}, {@code pgcdc.position}. */
    static DeadLetterEncoder plainText() {
        return (event, error, topic) -> new OutRecord(topic, null, event.toString().getBytes(StandardCharsets.UTF_8), headers(event, error));
    }

    /** The standard headers describing the failure. */
    static List<RecordHeader> headers(ChangeEvent event, Throwable error) {
        return List.of(
                RecordHeader.of("pgcdc.error.class", error.getClass().getName()),
                RecordHeader.of("pgcdc.error.message", String.valueOf(error.getMessage())),
                RecordHeader.of("pgcdc.table", event.table() == null ? "" : event.table().toString()),
                RecordHeader.of("pgcdc.position", event.position().toString()));
    }
}
