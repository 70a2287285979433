package dev.pgcdc.json;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.pipeline.DeadLetterEncoder;
import java.time.Clock;

/**
 * Dead letters as JSON: the event's key and value as the {@link JsonChangeHandler} with the same
 * settings writes them, and the error in the standard headers ({@link DeadLetterEncoder#headers}:
 * {@code pgcdc.error.class}, {@code pgcdc.error.message}, {@code pgcdc.table}, {@code pgcdc.position}).
 * If the event cannot be written as JSON either, its text form is written instead
 * ({@link DeadLetterEncoder#plainText()}). Called on the pipeline thread; keeps its own generator, so
 * a handler that failed mid-event does not disturb it.
 */
public final class JsonDeadLetterEncoder implements DeadLetterEncoder {

    private final EventJsonWriter writer;
    private final Clock clock;

    public JsonDeadLetterEncoder(JsonHandlerSettings settings) {
        this(settings, Clock.systemUTC());
    }

    public JsonDeadLetterEncoder(JsonHandlerSettings settings, Clock clock) {
        this.writer = new EventJsonWriter(settings);
        this.clock = clock;
    }

    @Override
    public OutRecord encode(ChangeEvent event, Throwable error, String topic) {
        try {
            return new OutRecord(topic, writer.key(event), writer.value(event, clock.millis()), DeadLetterEncoder.headers(event, error));
        } catch (RuntimeException e) {
            return DeadLetterEncoder.plainText().encode(event, error, topic);
        }
    }
}
