package dev.pgcdc.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.source.ChangeSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How a pipeline stops: at the end of a transaction, bounded by the shutdown timeout whatever the sink does. */
class PipelineShutdownTest {

    private static final TableId ORDERS = new TableId("public", "orders");
    private static final ChangeHandler ONE_RECORD = event -> List.of(OutRecord.of(null,
            event.position().toString().getBytes(StandardCharsets.UTF_8)));

    private final BatchSource source = new BatchSource();
    private final RecordingSink sink = new RecordingSink();
    private Pipeline pipeline;

    @AfterEach
    void stopPipeline() {
        sink.release.countDown();
        if (pipeline != null) {
            pipeline.stop();
        }
    }

    @Test
    void aStopInTheMiddleOfATransactionReadsOnToItsEndAndNoFurther() throws Exception {
        start(PipelineSettings.builder().shutdownTimeout(Duration.ofSeconds(30)).build());
        source.offer(transaction(100, 0, 3), false);
        await().atMost(Duration.ofSeconds(60)).until(() -> sink.written.size() == 3);

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(pipeline::stop);
        // offered only once the stopping pipeline asked whether it is between transactions, so it cannot have read them before the stop
        await().atMost(Duration.ofSeconds(60)).until(() -> source.askedBetweenTransactions.get() > 0);
        source.offer(transaction(100, 3, 3), false);
        List<ChangeEvent> endAndNext = new ArrayList<>(transaction(100, 6, 2));
        endAndNext.addAll(transaction(200, 0, 3)); // the next transaction starts in the same batch
        source.offer(endAndNext, false);
        stopping.get(60, TimeUnit.SECONDS);

        assertThat(sink.written).extracting(Position::toString).containsExactly(
                "0/64#0", "0/64#1", "0/64#2", "0/64#3", "0/64#4", "0/64#5", "0/64#6", "0/64#7");
        assertThat(source.acknowledged).hasSize(8);
        assertThat(pipeline.failure()).isEmpty();
        assertThat(source.closed).isTrue();
    }

    @Test
    void readingOnIsBoundedByTheShutdownTimeout() throws Exception {
        start(PipelineSettings.builder().shutdownTimeout(Duration.ofMillis(800)).build());
        source.endless = true; // one transaction that never ends
        await().atMost(Duration.ofSeconds(60)).until(() -> sink.written.size() >= 10);

        long started = System.nanoTime();
        pipeline.stop();

        assertThat(pipeline.isTerminated()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(pipeline.failure()).isEmpty();
        assertThat(source.closed).isTrue();
    }

    @Test
    void aStopEndsAWaitForCapacity() throws Exception {
        sink.confirmOnFlushOnly = true; // nothing becomes durable until the pipeline flushes
        start(PipelineSettings.builder().maxInFlightEvents(1).shutdownTimeout(Duration.ofSeconds(20)).build());
        source.offer(List.of(event(100, 0), event(200, 0), event(300, 0)), true);
        await().atMost(Duration.ofSeconds(60)).until(() -> sink.written.size() == 1);

        long started = System.nanoTime();
        pipeline.stop();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("stop while waiting for capacity").isLessThan(Duration.ofSeconds(10));
        assertThat(sink.written).extracting(Position::toString).containsExactly("0/64#0");
        assertThat(source.acknowledged).extracting(Position::toString).containsExactly("0/64#0");
    }

    @ParameterizedTest(name = "flush answers the interrupt with an unchecked exception: {0}")
    @ValueSource(booleans = {false, true}) // true: as KafkaProducer.flush does (org.apache.kafka.common.errors.InterruptException)
    void aSinkWhoseFlushNeverReturnsCannotHoldTheStopPastTheShutdownTimeout(boolean unchecked) throws Exception {
        sink.flushBlocks = true;
        sink.flushThrowsUnchecked = unchecked;
        sink.confirmOnFlushOnly = true;
        start(PipelineSettings.builder().shutdownTimeout(Duration.ofMillis(500)).build());
        source.offer(List.of(event(100, 0)), true);
        await().atMost(Duration.ofSeconds(60)).until(() -> sink.written.size() == 1);

        long started = System.nanoTime();
        pipeline.stop();

        assertThat(pipeline.isTerminated()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(source.acknowledged).isEmpty();
        assertThat(sink.closed).isTrue();
        assertThat(source.closed).isTrue();
        assertThat(pipeline.failure()).as("a stop that ran out of time is not a failure: the records are sent again").isEmpty();
    }

    @Test
    void aSinkWhoseCloseWaitsForOutstandingRecordsIsClosedInterruptedOnceTheTimeIsUpAndTheSourceStillClosesNormally() throws Exception {
        sink.flushBlocks = true;
        sink.confirmOnFlushOnly = true;
        sink.closeBlocksUntilInterrupted = true;
        start(PipelineSettings.builder().shutdownTimeout(Duration.ofMillis(500)).build());
        source.offer(List.of(event(100, 0)), true);
        await().atMost(Duration.ofSeconds(60)).until(() -> sink.written.size() == 1);

        long started = System.nanoTime();
        pipeline.stop();

        assertThat(pipeline.isTerminated()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("a close that waits (as KafkaProducer.close against a"
                + " frozen broker) does not stretch the stop").isLessThan(Duration.ofSeconds(10));
        assertThat(sink.closedInterrupted).as("the sink was told the time is up").isTrue();
        assertThat(source.closed).isTrue();
        assertThat(source.closedInterrupted).as("the source closes on a thread that is not interrupted, to send its last status")
                .isFalse();
        assertThat(pipeline.failure()).as("records the closing sink fails (as KafkaProducer's forced close does) were given up by"
                + " the stop, which did not fail").isEmpty();
    }

    @Test
    void theDrainAfterASinkFailureIsBoundedByTheShutdownTimeout() throws Exception {
        sink.flushBlocks = true;
        sink.confirmOnFlushOnly = true;
        start(PipelineSettings.builder().shutdownTimeout(Duration.ofMillis(500)).build());
        source.offer(List.of(event(100, 0), event(200, 0)), true);
        await().atMost(Duration.ofSeconds(60)).until(() -> sink.pending.size() == 2);

        sink.pending.get(1).onFailure(new CdcException("broker gone"));

        assertThat(pipeline.awaitTermination(Duration.ofSeconds(10))).as("terminated after the failure").isTrue();
        assertThat(pipeline.failure()).get().extracting(Throwable::getMessage).isEqualTo("broker gone");
        assertThat(source.closed).isTrue();
    }

    private void start(PipelineSettings settings) {
        pipeline = new Pipeline("shutdown", source, ONE_RECORD, sink, settings, null);
        pipeline.start();
    }

    private static List<ChangeEvent> transaction(long commitLsn, int firstSequence, int count) {
        List<ChangeEvent> events = new ArrayList<>();
        for (int seq = firstSequence; seq < firstSequence + count; seq++) {
            events.add(event(commitLsn, seq));
        }
        return events;
    }

    private static ChangeEvent event(long commitLsn, long sequence) {
        return ChangeEvent.builder(Operation.INSERT).table(ORDERS).after(Row.of(Map.of("id", sequence)))
                .commitLsn(Lsn.of(commitLsn)).position(new Position(Lsn.of(commitLsn), sequence)).build();
    }

    /** Hands out the batches the test offers, and says whether the last one ended between transactions. */
    private static final class BatchSource implements ChangeSource {
        private record Batch(List<ChangeEvent> events, boolean endsBetweenTransactions) {
        }

        final BlockingQueue<Batch> batches = new LinkedBlockingQueue<>();
        final List<Position> acknowledged = new CopyOnWriteArrayList<>();
        final AtomicInteger askedBetweenTransactions = new AtomicInteger();
        volatile boolean betweenTransactions = true;
        volatile boolean endless;
        volatile boolean closed;
        volatile boolean closedInterrupted;
        private long endlessSequence;

        void offer(List<ChangeEvent> events, boolean endsBetweenTransactions) {
            batches.add(new Batch(events, endsBetweenTransactions));
        }

        @Override
        public void start() {
        }

        @Override
        public List<ChangeEvent> poll(int maxEvents, Duration timeout) throws InterruptedException {
            if (endless) {
                betweenTransactions = false;
                Thread.sleep(1);
                return List.of(event(100, endlessSequence++));
            }
            Batch batch = batches.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (batch == null) {
                return List.of();
            }
            betweenTransactions = batch.endsBetweenTransactions();
            return batch.events();
        }

        @Override
        public boolean isBetweenTransactions() {
            askedBetweenTransactions.incrementAndGet();
            return betweenTransactions;
        }

        @Override
        public void acknowledge(Position position) {
            acknowledged.add(position);
        }

        @Override
        public void close() {
            closedInterrupted = Thread.currentThread().isInterrupted();
            closed = true;
        }
    }

    /** Confirms writes at once, or only when flushed; its flush may block until interrupted (as KafkaProducer.flush does). */
    private static final class RecordingSink implements Sink {
        final List<Position> written = new CopyOnWriteArrayList<>();
        final List<WriteCallback> pending = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean confirmOnFlushOnly;
        volatile boolean flushBlocks;
        volatile boolean flushThrowsUnchecked;
        volatile boolean closeBlocksUntilInterrupted;
        volatile boolean closedInterrupted;
        volatile boolean closed;

        @Override
        public void start() {
        }

        @Override
        public void write(ChangeEvent event, List<OutRecord> records, WriteCallback callback) {
            written.add(event.position());
            if (confirmOnFlushOnly) {
                pending.add(callback);
            } else {
                callback.onDurable();
            }
        }

        @Override
        public void flush() throws InterruptedException {
            if (flushBlocks) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    if (flushThrowsUnchecked) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("flush interrupted", e);
                    }
                    throw e;
                }
            }
            for (WriteCallback callback : pending) {
                callback.onDurable();
            }
            pending.clear();
        }

        @Override
        public void close() {
            closedInterrupted = Thread.currentThread().isInterrupted();
            if (closeBlocksUntilInterrupted) {
                try {
                    new CountDownLatch(1).await(); // a close that waits for outstanding records, as long as it may
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    for (WriteCallback callback : pending) { // closed forcefully: what is outstanding fails
                        callback.onFailure(new IllegalStateException("closed forcefully"));
                    }
                }
            }
            closed = true;
        }
    }
}
