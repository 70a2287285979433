package dev.pgcdc.kafka;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.position.StreamOrigin;
import dev.pgcdc.api.sink.Sink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once mode: the records of several events are written in one Kafka transaction together
 * with the last event's position (and the stream's origin, {@link StoredPosition}), keyed by the
 * transactional id, in the compacted offsets topic. The writes of a transaction become durable, in
 * order, when {@code commitTransaction} returns; any failure fails all of its writes, and every later
 * write fails at once.
 *
 * <p>When a transaction is committed: after {@code batch-size} events or {@code batch-bytes} of
 * records; with {@code transaction-interval > 0}, {@code transaction-interval} after it began; with
 * {@code transaction-interval = 0}, as soon as the stream pauses ({@link #PAUSE} without a new write)
 * or after {@link #MAX_OPEN_WITHOUT_INTERVAL}. {@code linger} is only the producer's {@code linger.ms}:
 * a commit sends whatever still waits in a batch.
 * So a burst (a large transaction, a replay) fills transactions up to the batch limits, while a
 * lone event is committed about a millisecond after it arrived; and {@link #flush} commits at once.
 *
 * <p>Never aborted by hand: the writer stops at the first failure anyway, and closing the producer
 * aborts an open transaction itself, bounded by the close timeout. A commit that times out or is
 * interrupted has an unknown outcome (kafka-clients forbids anything but retrying it or closing):
 * it is retried until {@code delivery-timeout}, then its writes fail and the producer is only
 * closed; after a restart the offsets topic tells whether it was committed.
 *
 * <p>Snapshot chunks ({@link ChunkRecords} given): a transaction is committed only where a chunk ends, never
 * inside one, and the record that says a chunk is done goes into the transaction right after the chunk's
 * last row, so a chunk's rows and its record become visible together or not at all. When a commit is due
 * inside a chunk it waits for the chunk's end; {@link #flush} inside a chunk commits nothing (closing
 * aborts the partial chunk, which is read again).
 *
 * <p>Exceptions thrown by write callbacks are contained: every other callback is still called,
 * each exactly once; the writer then fails (later writes fail, {@link #flush} throws) and logs it.
 *
 * <p>Threading: {@link #write}, {@link #flush} and {@link #close} run on the owner thread; a committer
 * thread ({@code pgcdc-kafka-commit-<transactional id>}) commits transactions that are due. Both hold
 * {@link #lock}, which guards every mutable field but {@link #recordFailure} (volatile, written by the
 * producer's I/O thread) and {@link #closeCalled}.
 */
final class ExactlyOnceWriter implements RecordWriter {

    /** {@code transaction-interval = 0}: a transaction is committed once no write came for this long. */
    static final Duration PAUSE = Duration.ofMillis(1);
    /** {@code transaction-interval = 0}: a transaction is committed once it has been open this long, even if writes keep coming. */
    static final Duration MAX_OPEN_WITHOUT_INTERVAL = Duration.ofMillis(100);

    private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceWriter.class);

    private final Producer<byte[], byte[]> producer;
    private final RecordRouter router;
    private final TopicCheck topics;
    private final KafkaSinkSettings settings;
    private final byte[] offsetsKey;
    private final int offsetsPartition;
    private final LongSupplier nanoClock;
    private final long maxOpenNanos;
    private final Thread committer;
    private final AtomicBoolean closeCalled = new AtomicBoolean();
    /** Snapshot chunks: where they end and their records; null when streaming. */
    private final ChunkRecords chunks;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Sink.WriteCallback> pending = new ArrayList<>();
    private boolean inTransaction;
    /** Whether the last write of the open transaction ended a chunk (always true when not writing chunks). */
    private boolean atChunkEnd = true;
    private long transactionStartedNanos;
    private long lastWriteNanos;
    private long transactionBytes;
    private Position lastPosition;
    private StreamOrigin origin;
    private SinkException failure;
    private boolean closed;
    private volatile SinkException recordFailure;

    ExactlyOnceWriter(Producer<byte[], byte[]> producer, RecordRouter router, TopicCheck topics, KafkaSinkSettings settings,
                      int offsetsPartition) {
        this(producer, router, topics, settings, offsetsPartition, System::nanoTime);
    }

    ExactlyOnceWriter(Producer<byte[], byte[]> producer, RecordRouter router, TopicCheck topics, KafkaSinkSettings settings,
                      int offsetsPartition, LongSupplier nanoClock) {
        this(producer, router, topics, settings, offsetsPartition, nanoClock, null);
    }

    /** @param chunks a snapshot's chunks, committed whole with their records; null when streaming */
    ExactlyOnceWriter(Producer<byte[], byte[]> producer, RecordRouter router, TopicCheck topics, KafkaSinkSettings settings,
                      int offsetsPartition, LongSupplier nanoClock, ChunkRecords chunks) {
        this.chunks = chunks;
        this.producer = producer;
        this.router = router;
        this.topics = topics;
        this.settings = settings;
        this.offsetsKey = settings.transactionalId().getBytes(StandardCharsets.UTF_8);
        this.offsetsPartition = offsetsPartition;
        this.nanoClock = nanoClock;
        Duration interval = settings.transactionInterval();
        this.maxOpenNanos = (interval.isZero() ? MAX_OPEN_WITHOUT_INTERVAL : interval).toNanos();
        this.committer = new Thread(this::commitWhenDue, "pgcdc-kafka-commit-" + settings.transactionalId());
        committer.setDaemon(true);
        committer.start();
    }

    /** From now on every stored position carries {@code origin} (see {@link StoredPosition}). */
    void storeOrigin(StreamOrigin origin) {
        lock.lock();
        try {
            this.origin = origin;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(ChangeEvent event, List<OutRecord> records, Sink.WriteCallback callback) {
        try {
            lock.lockInterruptibly(); // the committer may hold it for a commit, up to max.block.ms
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            notify(callback, new SinkException("interrupted while waiting for a Kafka commit; " + SinkErrors.describe(event) + " is not written"));
            return;
        }
        try {
            if (failure != null || closed) {
                notify(callback, failure != null ? SinkErrors.failedBefore(event, failure)
                        : new SinkException("the Kafka sink is closed; " + SinkErrors.describe(event) + " is not written"));
                return;
            }
            pending.add(callback);
            long now = nanoClock.getAsLong();
            String topic = null;
            try {
                if (!inTransaction) {
                    producer.beginTransaction();
                    inTransaction = true;
                    transactionStartedNanos = now;
                    changed.signalAll();
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
                if (chunks != null) {
                    markChunkEnd(event);
                }
            } catch (RuntimeException e) {
                failAll(e instanceof SinkException sinkError ? sinkError : SinkErrors.recordFailed(event, topic, -1, e));
                return;
            }
            lastPosition = event.position();
            lastWriteNanos = now;
            if (pending.size() >= settings.batchSize() || transactionBytes >= settings.batchBytes() || now - transactionStartedNanos >= maxOpenNanos) {
                commit();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Snapshot chunks: after the last row of a chunk, its record, in the same transaction; a commit may follow. Holds {@link #lock}. */
    private void markChunkEnd(ChangeEvent event) {
        Optional<dev.pgcdc.api.snapshot.ChunkMark> mark = chunks.marks().endingAt(event.position());
        atChunkEnd = mark.isPresent();
        if (mark.isPresent()) {
            producer.send(chunks.record(mark.get()), chunkCallback(mark.get()));
            changed.signalAll(); // a commit that was due waits for this
        }
    }

    /** Commits the open transaction; throws the writer's failure, if any, so that it is never missed. */
    @Override
    public void flush() throws InterruptedException {
        lock.lockInterruptibly();
        SinkException failed;
        try {
            commit();
            failed = failure;
        } finally {
            lock.unlock();
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted while committing the Kafka transaction");
        }
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    public void close() {
        if (!closeCalled.compareAndSet(false, true)) {
            return;
        }
        boolean locked = false;
        try {
            lock.lockInterruptibly(); // waits for a commit in progress, unless told to hurry
            locked = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (locked) {
                closed = true;
                if (inTransaction && failure == null) {
                    failAll(new SinkException("the Kafka sink closed before committing the transaction of " + pending.size()
                            + " events up to position " + lastPosition + "; they are not acknowledged and will be sent again after a restart"));
                }
                changed.signalAll();
            }
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
        committer.interrupt();
        // aborts a transaction still open, bounded; on an interrupted thread kafka-clients closes at once
        producer.close(settings.requestTimeout());
    }

    /** The committer thread: commits the open transaction when it is due, waits otherwise. */
    private void commitWhenDue() {
        lock.lock();
        try {
            while (!closed) {
                long wait = inTransaction && failure == null && atChunkEnd ? nanosUntilDue(nanoClock.getAsLong()) : Long.MAX_VALUE;
                if (wait <= 0) {
                    commit();
                } else if (wait == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    changed.awaitNanos(wait);
                }
            }
        } catch (InterruptedException e) {
            // close() interrupts the committer: nothing is left to commit
        } catch (RuntimeException | Error e) {
            // commit() reports its failures itself; this is a bug, and it must not go unnoticed
            SinkException error = new SinkException("the Kafka commit thread failed: " + e + SinkErrors.NOTHING_AFTER, e);
            LOG.error(error.getMessage(), e);
            failAll(error);
        } finally {
            lock.unlock();
        }
    }

    private long nanosUntilDue(long now) {
        long due = transactionStartedNanos + maxOpenNanos;
        if (settings.transactionInterval().isZero()) {
            due = Math.min(due, lastWriteNanos + PAUSE.toNanos());
        }
        return due - now;
    }

    /** Commits the open transaction with its last position; its writes become durable, in order. Holds {@link #lock}. */
    private void commit() {
        if (!inTransaction || failure != null || !atChunkEnd) {
            return; // inside a chunk: committed once it ends
        }
        try {
            String stored = new StoredPosition(lastPosition, Optional.ofNullable(origin)).encode();
            producer.send(new ProducerRecord<>(settings.offsetsTopic(), offsetsPartition, offsetsKey, stored.getBytes(StandardCharsets.UTF_8)),
                    offsetsCallback());
        } catch (RuntimeException e) {
            failAll(commitFailed(e));
            return;
        }
        try {
            commitWithRetries();
        } catch (OutcomeUnknown e) {
            failAll(e.error);
            return;
        } catch (RuntimeException e) {
            failAll(commitFailed(e));
            return;
        }
        inTransaction = false;
        transactionBytes = 0;
        List<Sink.WriteCallback> committed = new ArrayList<>(pending);
        pending.clear();
        for (Sink.WriteCallback callback : committed) {
            notify(callback, null);
        }
    }

    /**
     * {@code commitTransaction} may time out (max.block.ms) while a broker restarts, or be interrupted;
     * its outcome is then unknown and only retrying it is allowed. Retries until {@code delivery-timeout}.
     */
    private void commitWithRetries() {
        long deadline = nanoClock.getAsLong() + settings.deliveryTimeout().toNanos();
        while (true) {
            try {
                producer.commitTransaction();
                return;
            } catch (TimeoutException e) {
                if (nanoClock.getAsLong() - deadline >= 0) {
                    throw new OutcomeUnknown(outcomeUnknown(e, "did not complete within pgcdc.kafka.delivery-timeout (" + settings.deliveryTimeout() + ")"));
                }
                LOG.warn("the commit of the Kafka transaction up to position {} timed out; retrying it until pgcdc.kafka.delivery-timeout", lastPosition);
            } catch (InterruptException e) {
                throw new OutcomeUnknown(outcomeUnknown(e, "was interrupted (the service is stopping)"));
            }
        }
    }

    private SinkException outcomeUnknown(KafkaException cause, String what) {
        SinkException first = recordFailure;
        return new SinkException("the commit of the Kafka transaction of " + pending.size() + " events up to position " + lastPosition
                + " (transactional.id " + settings.transactionalId() + ") " + what + ": " + (first != null ? first.getMessage() : cause + SinkErrors.hint(cause))
                + "; its outcome is unknown, so none of them is acknowledged, and the transaction is not aborted (Kafka allows only"
                + " retrying the commit); after a restart the position read back from " + settings.offsetsTopic()
                + " tells whether it was committed", first != null ? first : cause);
    }

    /** The error of a failed commit: the first record Kafka refused if there was one (the commit only repeats it), else the commit's own cause. */
    private SinkException commitFailed(RuntimeException e) {
        SinkException first = recordFailure;
        if (first != null) {
            first.addSuppressed(e);
            return first;
        }
        Throwable cause = e.getClass() == KafkaException.class && e.getCause() != null ? e.getCause() : e;
        return new SinkException("commit of the Kafka transaction of " + pending.size() + " events up to position " + lastPosition
                + " (transactional.id " + settings.transactionalId() + ") failed: " + e
                + (cause != e ? " caused by " + cause : "") + SinkErrors.hint(cause) + SinkErrors.NOTHING_AFTER, e);
    }

    private Callback recordCallback(ChangeEvent event, String topic) {
        return (metadata, exception) -> {
            if (exception != null && recordFailure == null) {
                recordFailure = SinkErrors.recordFailed(event, topic, metadata == null ? -1 : metadata.partition(), exception);
            }
        };
    }

    private Callback chunkCallback(dev.pgcdc.api.snapshot.ChunkMark mark) {
        return (metadata, exception) -> {
            if (exception != null && recordFailure == null) {
                recordFailure = new SinkException("Kafka did not take the record of snapshot chunk " + mark.chunkId() + " (" + mark.jobRun()
                        + ") for the offsets topic " + settings.offsetsTopic() + ": " + exception + SinkErrors.hint(exception)
                        + SinkErrors.NOTHING_AFTER, exception);
            }
        };
    }

    private Callback offsetsCallback() {
        Position position = lastPosition;
        return (metadata, exception) -> {
            if (exception != null && recordFailure == null) {
                recordFailure = new SinkException("Kafka did not take position " + position + " for the offsets topic "
                        + settings.offsetsTopic() + ": " + exception + SinkErrors.hint(exception) + SinkErrors.NOTHING_AFTER, exception);
            }
        };
    }

    /** Fails each write of the open transaction with {@code error}; the writer stays failed. Holds {@link #lock}. */
    private void failAll(SinkException error) {
        if (failure == null) {
            failure = error;
        }
        inTransaction = false;
        transactionBytes = 0;
        List<Sink.WriteCallback> failed = new ArrayList<>(pending);
        pending.clear();
        for (Sink.WriteCallback callback : failed) {
            notify(callback, error);
        }
    }

    /** Settles {@code callback} once (durable when {@code error} is null); a callback that throws stops the writer. */
    private void notify(Sink.WriteCallback callback, SinkException error) {
        SinkException stopped = RecordWriter.settle(callback, error);
        if (stopped != null && failure == null && lock.isHeldByCurrentThread()) {
            failure = stopped;
        }
    }

    /** A commit whose outcome is unknown: its writes fail, and nothing may follow but closing the producer. */
    private static final class OutcomeUnknown extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient SinkException error;

        OutcomeUnknown(SinkException error) {
            super(error.getMessage(), error, false, false);
            this.error = error;
        }
    }
}
