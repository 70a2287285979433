package dev.pgcdc.kafka;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.sink.Sink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InterruptException;

/**
 * The default mode: records go to an idempotent producer (acks=all, in-order retries until the
 * delivery timeout), and a write is durable once Kafka acknowledged each of its records. A record
 * Kafka did not take fails its write with a {@link SinkException} naming topic, partition, table and
 * position; from then on every later write fails, including those already sent whose records
 * Kafka takes afterwards, so nothing after the failed record is ever reported durable by this sink
 * (earlier writes still complete normally).
 *
 * <p>An exception thrown by a write callback is kept from the producer's I/O thread (which would
 * only log it and go on): the writer fails from that write on, as if its record had failed, logs it,
 * and {@link #flush} throws it; each callback is still called exactly once. {@link #flush} of a
 * failed writer returns at once (nothing more can be acknowledged) and answers an interrupt.
 *
 * <p>Threading: {@link #write}, {@link #flush} and {@link #close} on the owner thread; completions
 * on the producer's I/O thread. The first failure ({@link #failure}, {@link #failedSequence}) is
 * set under this object's monitor and read through the volatile fields.
 */
final class AtLeastOnceWriter implements RecordWriter {

    private final Producer<byte[], byte[]> producer;
    private final RecordRouter router;
    private final TopicCheck topics;
    private final Duration closeTimeout;
    private long nextSequence; // owner thread: the order of writes
    private volatile Throwable failure;
    private volatile long failedSequence = Long.MAX_VALUE;

    AtLeastOnceWriter(Producer<byte[], byte[]> producer, RecordRouter router, TopicCheck topics, Duration closeTimeout) {
        this.producer = producer;
        this.router = router;
        this.topics = topics;
        this.closeTimeout = closeTimeout;
    }

    @Override
    public void write(ChangeEvent event, List<OutRecord> records, Sink.WriteCallback callback) {
        Throwable earlier = failure;
        if (earlier != null) {
            callback.onFailure(SinkErrors.failedBefore(event, earlier));
            return;
        }
        Completion completion = new Completion(event, records.size(), nextSequence++, callback);
        for (int i = 0; i < records.size(); i++) {
            OutRecord record = records.get(i);
            String topic;
            try {
                topic = router.topicOf(event, record);
                if (record.topic() != null) {
                    topics.requireTopic(topic, "named by the handler for " + SinkErrors.describe(event));
                }
            } catch (SinkException e) {
                completion.fail(e);
                return;
            }
            completion.topic = topic;
            try {
                producer.send(RecordRouter.toProducerRecord(topic, record), completion);
            } catch (RuntimeException e) {
                // send() throws for a closed producer or a fatal client state: the record is not sent
                completion.fail(SinkErrors.recordFailed(event, topic, -1, e));
                return;
            }
        }
    }

    private synchronized void recordFailure(long sequence, Throwable error) {
        if (sequence < failedSequence) {
            failure = error;
            failedSequence = sequence;
        }
    }

    /** Waits until every record sent is acknowledged or failed; throws the writer's failure, if any. */
    @Override
    public void flush() throws InterruptedException {
        if (failure == null) {
            try {
                producer.flush();
            } catch (InterruptException e) {
                Thread.interrupted(); // kafka-clients set the flag again; the InterruptedException carries it
                throw new InterruptedException("interrupted while waiting for Kafka to acknowledge the records sent");
            }
        }
        Throwable failed = failure;
        if (failed != null) {
            throw failed instanceof SinkException sinkError ? sinkError : new SinkException(failed.getMessage(), failed);
        }
    }

    @Override
    public void close() {
        producer.close(closeTimeout);
    }

    /**
     * Completes one write: the producer callback of each record counts down, and the write's callback
     * is called exactly once: {@code onDurable} when the last record succeeded and none failed,
     * {@code onFailure} at the first failure (later outcomes are ignored). Callbacks run on the
     * producer's I/O thread, or on the sending thread when {@code send} fails at once; the count is
     * atomic, so either is safe.
     */
    private final class Completion extends AtomicInteger implements Callback {

        private static final long serialVersionUID = 1L;
        private static final int SETTLED = -1;

        private final transient ChangeEvent event;
        private final transient Sink.WriteCallback callback;
        private final long sequence;
        // the topic of the record sent last, for the message when the producer reports no metadata
        private transient volatile String topic;

        Completion(ChangeEvent event, int records, long sequence, Sink.WriteCallback callback) {
            super(records);
            this.event = event;
            this.sequence = sequence;
            this.callback = callback;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (exception != null) {
                String failedTopic = metadata != null && metadata.topic() != null ? metadata.topic() : topic;
                int partition = metadata != null ? metadata.partition() : -1;
                fail(SinkErrors.recordFailed(event, failedTopic, partition, exception));
            } else {
                succeedOne();
            }
        }

        void fail(Throwable error) {
            int left;
            do {
                left = get();
                if (left <= 0) {
                    return;
                }
            } while (!compareAndSet(left, SETTLED));
            // this write's callback first: the owner learns the cause itself before a write that races
            // with this one is refused "on an earlier failure"; a callback that throws does not replace it
            RecordWriter.settle(callback, error);
            recordFailure(sequence, error);
        }

        private void succeedOne() {
            int left;
            do {
                left = get();
                if (left <= 0) {
                    return;
                }
            } while (!compareAndSet(left, left - 1));
            if (left == 1) {
                // a record of an earlier write failed: nothing after it is reported durable
                settle(sequence < failedSequence ? null : SinkErrors.failedBefore(event, failure));
            }
        }

        /** Calls the write's callback (durable when {@code error} is null); a callback that throws fails the writer from here on. */
        private void settle(Throwable error) {
            SinkException stopped = RecordWriter.settle(callback, error);
            if (stopped != null) {
                recordFailure(sequence, stopped);
            }
        }
    }
}
