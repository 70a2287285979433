package dev.pgcdc.api.pipeline;

import dev.pgcdc.api.ConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a pipeline (the runtime's {@code Pipeline}) bounds and polls. Immutable; build with {@link #builder()},
 * every setting has a default.
 *
 * @param maxInFlightEvents    events handed to the sink and not yet durable, at most (default 2000)
 * @param maxInFlightBytes     bytes of their records, at most (default 8 MiB)
 * @param pollBatchSize        events asked of the source per poll (default 1000)
 * @param pollTimeout          how long one poll waits for the first event (default 100ms)
 * @param errorPolicy          what a handler error does (default {@link ErrorPolicy#FAIL})
 * @param deadLetterTopic      topic for {@link ErrorPolicy#DEAD_LETTER}, required with it
 * @param deadLetterEncoder    how a dead letter is written
 * @param shutdownTimeout      bounds a stop, from the request: reading on to the end of the current transaction (at
 *                             most three quarters of it), then waiting for in-flight records; also the drain after a
 *                             failure. When it passes, the pipeline thread is interrupted (default 30s)
 */
public record PipelineSettings(
        int maxInFlightEvents,
        long maxInFlightBytes,
        int pollBatchSize,
        Duration pollTimeout,
        ErrorPolicy errorPolicy,
        String deadLetterTopic,
        DeadLetterEncoder deadLetterEncoder,
        Duration shutdownTimeout) {

    public PipelineSettings {
        List<String> problems = new ArrayList<>();
        if (maxInFlightEvents < 1) {
            problems.add("pipeline.max-in-flight-events = " + maxInFlightEvents + " must be at least 1");
        }
        if (maxInFlightBytes < 1) {
            problems.add("pipeline.max-in-flight-bytes = " + maxInFlightBytes + " must be at least 1");
        }
        if (pollBatchSize < 1) {
            problems.add("pipeline.poll-batch-size = " + pollBatchSize + " must be at least 1");
        }
        if (pollTimeout == null || pollTimeout.isNegative() || pollTimeout.isZero()) {
            problems.add("pipeline.poll-timeout = " + pollTimeout + " must be positive");
        }
        if (errorPolicy == null) {
            problems.add("pipeline.error-policy must be set; allowed: fail, skip, dead-letter");
        }
        if (errorPolicy == ErrorPolicy.DEAD_LETTER && (deadLetterTopic == null || deadLetterTopic.isBlank())) {
            problems.add("pipeline.dead-letter-topic is required when pipeline.error-policy = dead-letter");
        }
        if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
            problems.add("pipeline.shutdown-timeout = " + shutdownTimeout + " must not be negative");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        deadLetterEncoder = Objects.requireNonNullElse(deadLetterEncoder, DeadLetterEncoder.plainText());
    }

    public static PipelineSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private int maxInFlightEvents = 2_000;
        private long maxInFlightBytes = 8L * 1024 * 1024;
        private int pollBatchSize = 1000;
        private Duration pollTimeout = Duration.ofMillis(100);
        private ErrorPolicy errorPolicy = ErrorPolicy.FAIL;
        private String deadLetterTopic;
        private DeadLetterEncoder deadLetterEncoder;
        private Duration shutdownTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        public Builder maxInFlightEvents(int value) {
            this.maxInFlightEvents = value;
            return this;
        }

        public Builder maxInFlightBytes(long value) {
            this.maxInFlightBytes = value;
            return this;
        }

        public Builder pollBatchSize(int value) {
            this.pollBatchSize = value;
            return this;
        }

        public Builder pollTimeout(Duration value) {
            this.pollTimeout = value;
            return this;
        }

        public Builder errorPolicy(ErrorPolicy value) {
            this.errorPolicy = value;
            return this;
        }

        public Builder deadLetterTopic(String value) {
            this.deadLetterTopic = value;
            return this;
        }

        public Builder deadLetterEncoder(DeadLetterEncoder value) {
            this.deadLetterEncoder = value;
            return this;
        }

        public Builder shutdownTimeout(Duration value) {
            this.shutdownTimeout = value;
            return this;
        }

        public PipelineSettings build() {
            return new PipelineSettings(maxInFlightEvents, maxInFlightBytes, pollBatchSize, pollTimeout, errorPolicy,
                    deadLetterTopic, deadLetterEncoder, shutdownTimeout);
        }
    }
}
