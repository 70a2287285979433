package dev.pgcdc.api.pipeline;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.OutRecord;
import java.util.List;

/**
 * Observes the pipeline, for metrics and logs. Every method has an empty default. Methods are called
 * on the pipeline thread except {@link #onDurable}, which runs on the sink's callback thread; all must
 * be quick and must not throw.
 */
public interface PipelineListener {

    /** A no-op listener. */
    PipelineListener NONE = new PipelineListener() {
    };

    /** The handler mapped {@code event} to {@code records} records in {@code handlerNanos}. */
    default void onHandled(ChangeEvent event, int records, long handlerNanos) {
    }

    /** The handler failed on {@code event}; the policy decides what follows. */
    default void onHandlerError(ChangeEvent event, Throwable error, ErrorPolicy policy) {
    }

    /** All of the records of {@code event} are durable, {@code writeNanos} after they were handed to the sink. */
    default void onDurable(ChangeEvent event, int records, long writeNanos) {
    }

    /**
     * As {@link #onDurable(ChangeEvent, int, long)}, with the topics the handler named: one entry for each of
     * the {@code records} whose {@link OutRecord#topic()} is set (a logical message's topic, a dead letter),
     * none for those routed by the sink (the event's table's topic), so empty in the common case. The
     * pipeline calls this one, and keeps only these names, not the records, until Kafka acknowledges them.
     * The default calls the count form.
     */
    default void onDurable(ChangeEvent event, int records, List<String> namedTopics, long writeNanos) {
        onDurable(event, records, writeNanos);
    }

    /**
     * {@code event} was skipped without being handled, because the sink had already committed its
     * position (a replay after an exactly-once restart).
     */
    default void onSkippedAsCommitted(ChangeEvent event) {
    }

    /** The pipeline stopped because of {@code error}. */
    default void onFailure(Throwable error) {
    }
}
