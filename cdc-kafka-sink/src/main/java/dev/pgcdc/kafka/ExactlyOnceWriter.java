package dev.pgcdc.kafka;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.sink.Sink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Exactly-once mode: the records of up to {@code batch-size} events (or {@code batch-bytes}, or
 * what arrived within {@code linger}) are written in one Kafka transaction together with the last
 * event's position, keyed by the transactional id, in the compacted offsets topic. The writes of a
 * transaction become durable, in order, when {@code commitTransaction} returns; any failure aborts
 * the transaction and fails all of its writes, and every later write fails at once.
 *
 * <p>Threading: {@link #write}, {@link #flush} and {@link #close} run on the owner thread; a timer
 * thread ({@code pgcdc-kafka-linger-<transactional id>}) commits a transaction that has been open
 * for {@code linger}. Both hold {@link #lock}, which guards every mutable field but
 * {@link #recordFailure} (volatile, written by the producer's I/O thread).
 */
final class ExactlyOnceWriter implements RecordWriter {

    private final Producer<byte[], byte[]> producer;
    private final RecordRouter router;
    private final TopicCheck topics;
    private final KafkaSinkSettings settings;
    private final byte[] offsetsKey;
    private final long lingerNanos;
    private final ScheduledExecutorService lingerTimer;

    private final ReentrantLock lock = new ReentrantLock();
    private final List<Sink.WriteCallback> pending = new ArrayList<>();
    private boolean inTransaction;
    private long transactionStartedNanos;
    private long transactionBytes;
    private Position lastPosition;
    private SinkException failure;
    private boolean closed;
    private volatile SinkException recordFailure;

    ExactlyOnceWriter(Producer<byte[], byte[]> producer, RecordRouter router, TopicCheck topics, KafkaSinkSettings settings) {
        this.producer = producer;
        this.router = router;
        this.topics = topics;
        this.settings = settings;
        this.offsetsKey = settings.transactionalId().getBytes(StandardCharsets.UTF_8);
        this.lingerNanos = settings.linger().toNanos();
        if (lingerNanos > 0) {
            this.lingerTimer = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "pgcdc-kafka-linger-" + settings.transactionalId());
                thread.setDaemon(true);
                return thread;
            });
            long periodMillis = Math.max(1, settings.linger().toMillis() / 2);
            lingerTimer.scheduleWithFixedDelay(this::commitIfLingered, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        } else {
            this.lingerTimer = null;
        }
    }

    @Override
    public void write(ChangeEvent event, List<OutRecord> records, Sink.WriteCallback callback) {
        lock.lock();
        try {
            if (failure != null || closed) {
                callback.onFailure(failure != null ? SinkErrors.failedBefore(event, failure)
                        : new SinkException("the Kafka sink is closed; " + SinkErrors.describe(event) + " is not written"));
                return;
            }
            pending.add(callback);
            String topic = null;
            try {
                if (!inTransaction) {
                    producer.beginTransaction();
                    inTransaction = true;
                    transactionStartedNanos = System.nanoTime();
                }
                for (int i = 0; i < records.size(); i++) {
                    OutRecord record = records.get(i);
                    topic = router.topicOf(event, record);
                    if (record.topic() != null) {
                        topics.requireTopic(topic, "named by the handler for " + SinkErrors.describe(event));
                    }
                    producer.send(RecordRouter.toProducerRecord(topic, record), recordCallback(event, topic));
                    transactionBytes += record.sizeInBytes();
                }
            } catch (RuntimeException e) {
                abortAndFailAll(e instanceof SinkException sinkError ? sinkError : SinkErrors.recordFailed(event, topic, -1, e));
                return;
            }
            lastPosition = event.position();
            if (pending.size() >= settings.batchSize() || transactionBytes >= settings.batchBytes()
                    || System.nanoTime() - transactionStartedNanos >= lingerNanos) {
                commit();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() {
        lock.lock();
        try {
            commit();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        if (lingerTimer != null) {
            lingerTimer.shutdownNow();
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (inTransaction) {
                abortAndFailAll(new SinkException("the Kafka sink closed before committing the transaction of " + pending.size()
                        + " events up to position " + lastPosition + "; they are not acknowledged and will be sent again after a restart"));
            }
        } finally {
            lock.unlock();
        }
        producer.close(settings.requestTimeout());
    }

    private void commitIfLingered() {
        if (!lock.tryLock()) {
            return; // the owner is writing or committing; it commits a lingered transaction itself
        }
        try {
            if (inTransaction && failure == null && !closed && System.nanoTime() - transactionStartedNanos >= lingerNanos) {
                commit();
            }
        } catch (RuntimeException e) {
            // commit() reports failures to the writes' callbacks; nothing may escape the timer thread
        } finally {
            lock.unlock();
        }
    }

    /** Commits the open transaction with its last position; its writes become durable, in order. Holds {@link #lock}. */
    private void commit() {
        if (!inTransaction || failure != null) {
            return;
        }
        try {
            producer.send(new ProducerRecord<>(settings.offsetsTopic(), 0, offsetsKey,
                    lastPosition.toString().getBytes(StandardCharsets.UTF_8)), offsetsCallback());
            commitWithRetries();
        } catch (RuntimeException e) {
            SinkException sendError = recordFailure;
            abortAndFailAll(sendError != null ? sendError : new SinkException("commit of the Kafka transaction of " + pending.size()
                    + " events up to position " + lastPosition + " (transactional.id " + settings.transactionalId() + ") failed: "
                    + e + SinkErrors.hint(e) + SinkErrors.NOTHING_AFTER, e));
            return;
        }
        inTransaction = false;
        transactionBytes = 0;
        for (Sink.WriteCallback callback : pending) {
            callback.onDurable();
        }
        pending.clear();
    }

    /** {@code commitTransaction} may time out (max.block.ms) while a broker restarts; it may then be called again. */
    private void commitWithRetries() {
        long deadline = System.nanoTime() + settings.deliveryTimeout().toNanos();
        while (true) {
            try {
                producer.commitTransaction();
                return;
            } catch (TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    private Callback recordCallback(ChangeEvent event, String topic) {
        return (metadata, exception) -> {
            if (exception != null && recordFailure == null) {
                recordFailure = SinkErrors.recordFailed(event, topic, metadata == null ? -1 : metadata.partition(), exception);
            }
        };
    }

    private Callback offsetsCallback() {
        return (metadata, exception) -> {
            if (exception != null && recordFailure == null) {
                recordFailure = new SinkException("Kafka did not take position " + lastPosition + " for the offsets topic "
                        + settings.offsetsTopic() + ": " + exception + SinkErrors.hint(exception) + SinkErrors.NOTHING_AFTER, exception);
            }
        };
    }

    /** Aborts the open transaction (when the producer still can) and fails each of its writes with {@code error}. */
    private void abortAndFailAll(SinkException error) {
        failure = error;
        if (inTransaction && !isFatal(error.getCause())) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException e) {
                error.addSuppressed(e);
            }
        }
        inTransaction = false;
        transactionBytes = 0;
        for (Sink.WriteCallback callback : pending) {
            callback.onFailure(error);
        }
        pending.clear();
    }

    /** Errors after which the producer can only be closed (kafka-clients' transactional contract). */
    private static boolean isFatal(Throwable error) {
        return error instanceof ProducerFencedException || error instanceof InvalidProducerEpochException
                || error instanceof OutOfOrderSequenceException || error instanceof AuthorizationException
                || error instanceof UnsupportedVersionException
                || error instanceof KafkaException && error.getCause() instanceof ProducerFencedException;
    }
}
