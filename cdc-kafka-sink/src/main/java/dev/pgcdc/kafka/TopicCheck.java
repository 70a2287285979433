package dev.pgcdc.kafka;

/** Makes sure a topic exists before a record goes to it (a seam, so the writers are testable without a broker). */
@FunctionalInterface
interface TopicCheck {

    /**
     * Returns when {@code topic} exists (or was created); otherwise throws a
     * {@link dev.pgcdc.api.SinkException} that names the topic and {@code usedFor}.
     */
    void requireTopic(String topic, String usedFor);
}
