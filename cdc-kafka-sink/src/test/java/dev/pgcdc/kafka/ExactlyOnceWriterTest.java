package dev.pgcdc.kafka;

import static dev.pgcdc.kafka.TestEvents.USERS;
import static dev.pgcdc.kafka.TestEvents.insert;
import static dev.pgcdc.kafka.TestEvents.records;
import static dev.pgcdc.kafka.TestEvents.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.position.StreamOrigin;
import dev.pgcdc.api.snapshot.ChunkMark;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The exactly-once writer against kafka-clients' transactional MockProducer, on a clock the test moves. */
class ExactlyOnceWriterTest {

    private static final int OFFSETS_PARTITION = 3;

    private final CommitScriptedProducer producer = new CommitScriptedProducer();
    private final List<String> journal = new CopyOnWriteArrayList<>();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private ExactlyOnceWriter writer;

    @AfterEach
    void closeWriter() {
        if (writer != null) {
            writer.close();
        }
        Thread.interrupted();
    }

    @Test
    void commitsABatchWithItsLastPositionAndThenReportsItsWritesDurableInOrder() {
        writer = writer(3, Duration.ofMinutes(1));
        RecordingCallback a = new RecordingCallback("a", journal);
        RecordingCallback b = new RecordingCallback("b", journal);
        RecordingCallback c = new RecordingCallback("c", journal);

        writer.write(insert(1), records("k1"), a);
        writer.write(insert(2), records("k2", "k2b"), b);
        assertThat(journal).isEmpty();
        assertThat(producer.transactionInFlight()).isTrue();
        writer.write(insert(3), records("k3"), c);

        assertThat(journal).containsExactly("a durable", "b durable", "c durable");
        assertThat(producer.transactionCommitted()).isTrue();
        List<ProducerRecord<byte[], byte[]>> sent = producer.history();
        assertThat(sent).extracting(ProducerRecord::topic).containsExactly("users", "users", "users", "users", "__pgcdc_offsets");
        ProducerRecord<byte[], byte[]> offsets = sent.get(4);
        assertThat(offsets.partition()).isEqualTo(OFFSETS_PARTITION);
        assertThat(text(offsets.key())).isEqualTo("pgcdc-test");
        assertThat(text(offsets.value())).isEqualTo("0/1003#0");
    }

    @Test
    void storesTheStreamsOriginWithEveryPositionOnceItIsKnown() {
        writer = writer(1, Duration.ofMinutes(1));
        writer.storeOrigin(new StreamOrigin("7301234567890123456", 2, Lsn.of(0x9000)));

        writer.write(insert(1), records("k1"), new RecordingCallback("a", journal));

        ProducerRecord<byte[], byte[]> offsets = producer.history().get(1);
        assertThat(text(offsets.value())).isEqualTo("0/1001#0;system=7301234567890123456;timeline=2");
        assertThat(StoredPosition.parse(text(offsets.value())).origin()).contains(new StreamOrigin("7301234567890123456", 2, Lsn.INVALID));
    }

    @Test
    void commitsAQuietTransactionAfterTheTransactionInterval() {
        writer = writer(1000, Duration.ofMillis(50));
        RecordingCallback a = new RecordingCallback("a", journal);

        writer.write(insert(1), records("k1"), a);
        assertThat(producer.commitCount()).isZero();
        clock.addAndGet(Duration.ofMillis(50).toNanos());

        await().atMost(Duration.ofSeconds(30)).until(() -> a.durable);
        assertThat(producer.commitCount()).isEqualTo(1);
    }

    @Test
    void aLongLingerDoesNotKeepATransactionOpenPastTheTransactionInterval() {
        writer = writer(settings(1000).linger(Duration.ofMinutes(1)).transactionInterval(Duration.ofMillis(50)), null);
        writer.write(insert(1), records("k1"), new RecordingCallback("a", journal));
        clock.addAndGet(Duration.ofMillis(50).toNanos());

        // the transaction is due: the committer thread commits it, or this write does, whichever takes the lock
        // first (b then in a transaction of its own or in the same one); with the linger's minute, neither would
        writer.write(insert(2), records("k2"), new RecordingCallback("b", journal));

        await().atMost(Duration.ofSeconds(30)).until(() -> producer.commitCount() >= 1);
        assertThat(producer.commitCount()).isEqualTo(1);
        assertThat(journal).startsWith("a durable");
    }

    @Test
    void lingerZeroDoesNotShortenATransactionWhoseIntervalIsLonger() {
        writer = writer(settings(1000).linger(Duration.ZERO).transactionInterval(Duration.ofMinutes(1)), null);
        writer.write(insert(1), records("k1"), new RecordingCallback("a", journal));
        clock.addAndGet(ExactlyOnceWriter.MAX_OPEN_WITHOUT_INTERVAL.toNanos());

        writer.write(insert(2), records("k2"), new RecordingCallback("b", journal));

        assertThat(producer.commitCount()).as("open longer than transaction-interval = 0 allows").isZero();
        assertThat(journal).isEmpty();
    }

    @Test
    void withoutIntervalABurstOfEventsIsOneTransactionCommittedWhenTheStreamPauses() {
        writer = writer(100, Duration.ZERO);
        List<RecordingCallback> callbacks = new CopyOnWriteArrayList<>();
        for (int i = 1; i <= 10; i++) {
            RecordingCallback callback = new RecordingCallback("w" + i, journal);
            callbacks.add(callback);
            writer.write(insert(i), records("k" + i), callback);
        }
        // the clock has not moved: the burst goes on, nothing is committed yet
        assertThat(producer.commitCount()).isZero();

        clock.addAndGet(ExactlyOnceWriter.PAUSE.toNanos());

        await().atMost(Duration.ofSeconds(30)).until(() -> callbacks.stream().allMatch(callback -> callback.durable));
        assertThat(producer.commitCount()).isEqualTo(1);
        assertThat(callbacks).allSatisfy(callback -> assertThat(callback.calls).hasValue(1));
    }

    @Test
    void withoutIntervalBatchSizeStillEndsATransaction() {
        writer = writer(3, Duration.ZERO);
        for (int i = 1; i <= 7; i++) {
            writer.write(insert(i), records("k" + i), new RecordingCallback("w" + i, journal));
        }
        assertThat(producer.commitCount()).isEqualTo(2);
    }

    @Test
    void withoutIntervalASteadyTrickleIsCommittedAfterTheLongestOpenTime() {
        writer = writer(100_000, Duration.ZERO);
        long step = ExactlyOnceWriter.PAUSE.toNanos() / 2; // never a pause
        int events = (int) (ExactlyOnceWriter.MAX_OPEN_WITHOUT_INTERVAL.toNanos() / step);
        for (int i = 1; i <= events; i++) {
            writer.write(insert(i), records("k" + i), new RecordingCallback("w" + i, journal));
            clock.addAndGet(step);
        }
        writer.write(insert(events + 1), records("last"), new RecordingCallback("last", journal));

        assertThat(producer.commitCount()).isEqualTo(1);
    }

    @Test
    void flushCommitsTheOpenTransaction() throws InterruptedException {
        writer = writer(1000, Duration.ofMinutes(1));
        RecordingCallback a = new RecordingCallback("a", journal);
        writer.write(insert(1), records("k1"), a);

        writer.flush();

        assertThat(a.durable).isTrue();
        assertThat(producer.commitCount()).isEqualTo(1);
    }

    @Test
    void aFailedCommitFailsEveryWriteOfTheTransactionAndAllLaterOnesWithTheRealCause() {
        writer = writer(2, Duration.ofMinutes(1));
        producer.commitTransactionException = new KafkaException("Cannot execute transactional method because we are in an error state",
                new KafkaException("broker said no"));
        RecordingCallback a = new RecordingCallback("a", journal);
        RecordingCallback b = new RecordingCallback("b", journal);
        RecordingCallback later = new RecordingCallback("later", journal);

        writer.write(insert(1), records("k1"), a);
        writer.write(insert(2), records("k2"), b);
        writer.write(insert(3), records("k3"), later);

        assertThat(journal).containsExactly("a failed", "b failed", "later failed");
        assertThat(producer.transactionCommitted()).isFalse();
        assertThat(a.failure).isInstanceOf(SinkException.class)
                .hasMessageStartingWith("commit of the Kafka transaction of 2 events up to position 0/1002#0 (transactional.id pgcdc-test) failed")
                .hasMessageContaining("caused by org.apache.kafka.common.KafkaException: broker said no");
        assertThat(later.failure).hasMessageStartingWith("the Kafka sink stopped on an earlier failure");
    }

    @Test
    void aCommitThatTimesOutIsRetriedWithinTheDeliveryTimeout() {
        writer = writer(1, Duration.ofMinutes(1));
        producer.commitTimeouts.set(2);
        RecordingCallback a = new RecordingCallback("a", journal);

        writer.write(insert(1), records("k1"), a);

        assertThat(a.durable).isTrue();
        assertThat(producer.commitAttempts).hasValue(3);
        assertThat(producer.abortAttempts).hasValue(0);
    }

    @Test
    void aCommitStillTimingOutAtTheDeliveryTimeoutHasAnUnknownOutcomeAndIsNeverAborted() {
        writer = writer(2, Duration.ofMinutes(1));
        producer.commitTimeouts.set(Integer.MAX_VALUE);
        producer.onCommitAttempt = () -> clock.addAndGet(Duration.ofSeconds(50).toNanos()); // each attempt blocks max.block.ms
        RecordingCallback a = new RecordingCallback("a", journal);
        RecordingCallback b = new RecordingCallback("b", journal);
        RecordingCallback later = new RecordingCallback("later", journal);

        writer.write(insert(1), records("k1"), a);
        writer.write(insert(2), records("k2"), b);
        writer.write(insert(3), records("k3"), later);

        assertThat(journal).containsExactly("a failed", "b failed", "later failed");
        assertThat(producer.commitAttempts).hasValue(3); // 0 s, 50 s, 100 s; 150 s is past the 120 s delivery timeout
        assertThat(producer.abortAttempts).as("abortTransaction after an unknown commit outcome").hasValue(0);
        assertThat(a.failure).hasMessageContaining("did not complete within pgcdc.kafka.delivery-timeout (PT2M)")
                .hasMessageContaining("its outcome is unknown").hasMessageContaining("the transaction is not aborted");
        writer.close();
        assertThat(producer.abortAttempts).hasValue(0);
        assertThat(producer.closed()).isTrue();
    }

    @Test
    void anInterruptedCommitHasAnUnknownOutcomeAndFlushAnswersTheInterrupt() {
        writer = writer(1000, Duration.ofMinutes(1));
        producer.interruptCommit = true;
        RecordingCallback a = new RecordingCallback("a", journal);
        writer.write(insert(1), records("k1"), a);

        assertThatThrownBy(writer::flush).isInstanceOf(InterruptedException.class);

        assertThat(a.failure).hasMessageContaining("was interrupted").hasMessageContaining("its outcome is unknown");
        assertThat(producer.abortAttempts).hasValue(0);
        assertThat(Thread.currentThread().isInterrupted()).as("the InterruptedException carries the interrupt").isFalse();
    }

    @Test
    void closeOnAnInterruptedThreadDoesNotWaitForACommitInProgressAndNeverAborts() throws Exception {
        writer = writer(1000, Duration.ofMillis(10));
        producer.blockCommit = new CountDownLatch(1); // the broker never answers
        RecordingCallback a = new RecordingCallback("a", journal);
        writer.write(insert(1), records("k1"), a);
        clock.addAndGet(Duration.ofMillis(10).toNanos());
        assertThat(producer.commitEntered.await(30, TimeUnit.SECONDS)).as("the commit thread is committing").isTrue();

        long closing = System.nanoTime();
        Thread.currentThread().interrupt(); // the shutdown deadline
        writer.close();

        assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(30)).until(() -> a.failure != null);
        assertThat(a.failure).hasMessageContaining("was interrupted").hasMessageContaining("its outcome is unknown");
        assertThat(a.calls).hasValue(1);
        assertThat(producer.abortAttempts).hasValue(0);
        assertThat(producer.closed()).isTrue();
    }

    @Test
    void aWriteOnAnInterruptedThreadFailsInsteadOfWaitingForTheCommitThread() {
        writer = writer(1000, Duration.ofMinutes(1));
        RecordingCallback a = new RecordingCallback("a", journal);

        Thread.currentThread().interrupt();
        writer.write(insert(1), records("k1"), a);

        assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
        assertThat(a.failure).hasMessageContaining("interrupted while waiting for a Kafka commit; INSERT on public.users at position 0/1001#0 is not written");
    }

    @Test
    void aCallbackThatThrowsIsContainedTheOthersAreCalledOnceAndTheWriterFails() {
        writer = writer(3, Duration.ofMinutes(1));
        RecordingCallback a = new RecordingCallback("a", journal);
        RecordingCallback throwing = new RecordingCallback("b", journal) {
            @Override
            public void onDurable() {
                super.onDurable();
                throw new IllegalStateException("the stream went back");
            }
        };
        RecordingCallback c = new RecordingCallback("c", journal);
        RecordingCallback later = new RecordingCallback("later", journal);

        writer.write(insert(1), records("k1"), a);
        writer.write(insert(2), records("k2"), throwing);
        writer.write(insert(3), records("k3"), c);

        assertThat(journal).containsExactly("a durable", "b durable", "c durable");
        assertThat(List.of(a, throwing, c)).allSatisfy(callback -> assertThat(callback.calls).hasValue(1));
        writer.write(insert(4), records("k4"), later);
        assertThat(later.failure).hasMessageContaining("a write callback of the Kafka sink threw java.lang.IllegalStateException: the stream went back");
        assertThatThrownBy(writer::flush).isInstanceOf(SinkException.class).hasMessageContaining("the stream went back");
    }

    @Test
    void aCallbackThatThrowsOnTheCommitThreadIsContainedAndFailsTheWriter() {
        writer = writer(1000, Duration.ofMillis(10));
        RecordingCallback throwing = new RecordingCallback("a", journal) {
            @Override
            public void onDurable() {
                super.onDurable();
                throw new IllegalStateException("listener broke");
            }
        };
        writer.write(insert(1), records("k1"), throwing);
        clock.addAndGet(Duration.ofMillis(10).toNanos());
        await().atMost(Duration.ofSeconds(30)).until(() -> throwing.durable);

        RecordingCallback later = new RecordingCallback("later", journal);
        writer.write(insert(2), records("k2"), later);

        assertThat(throwing.calls).hasValue(1);
        assertThat(later.failure).hasMessageContaining("listener broke");
    }

    @Test
    void aFencedProducerFailsWithAMessageThatSaysSo() {
        writer = writer(2, Duration.ofMinutes(1));
        producer.fenceProducer();
        RecordingCallback a = new RecordingCallback("a", journal);

        writer.write(insert(1), records("k1"), a);

        assertThat(a.failure).isInstanceOf(SinkException.class).hasMessageContaining("fenced");
    }

    @Test
    void closingWithAnOpenTransactionReportsItsWritesFailedAndClosesTheProducer() {
        writer = writer(1000, Duration.ofMinutes(1));
        RecordingCallback a = new RecordingCallback("a", journal);
        writer.write(insert(1), records("k1"), a);

        writer.close();

        assertThat(a.failure).hasMessageContaining("closed before committing the transaction of 1 events up to position 0/1001#0");
        assertThat(a.calls).hasValue(1);
        assertThat(producer.transactionCommitted()).isFalse();
        assertThat(producer.closed()).isTrue();
    }

    @Test
    void snapshotChunksAreCommittedWholeWithTheirRecordAndNeverInsideAChunk() throws InterruptedException {
        // chunk 7 ends at the second event, chunk 8 at the fifth; a commit is due after every event (batch-size 1)
        Map<Position, ChunkMark> ends = Map.of(insert(2).position(), new ChunkMark("job@1", 7, 2), insert(5).position(),
                new ChunkMark("job@1", 8, 3));
        ChunkRecords chunks = new ChunkRecords("pgcdc-test", "i1", position -> Optional.ofNullable(ends.get(position)), "__pgcdc_offsets", 10);
        writer = writer(1, Duration.ZERO, chunks);
        List<RecordingCallback> callbacks = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            callbacks.add(new RecordingCallback("w" + i, journal));
            writer.write(insert(i), records("k" + i), callbacks.get(i - 1));
            if (i == 1) {
                assertThat(producer.commitCount()).as("due, but inside chunk 7").isZero();
            }
        }
        assertThat(producer.commitCount()).as("committed at the end of chunk 7 only").isEqualTo(1);
        assertThat(journal).containsExactly("w1 durable", "w2 durable");
        List<ProducerRecord<byte[], byte[]>> first = producer.history().subList(0, 4);
        assertThat(first).extracting(ProducerRecord::topic).containsExactly("users", "users", "__pgcdc_offsets", "__pgcdc_offsets");
        ProducerRecord<byte[], byte[]> chunkRecord = first.get(2);
        assertThat(text(chunkRecord.key())).isEqualTo("pgcdc-test/snapshot/job@1/7");
        assertThat(text(chunkRecord.value())).isEqualTo("rows=2;instance=i1");
        assertThat(chunkRecord.partition()).as("every record of the job in one partition").isEqualTo(chunks.partition("job@1"))
                .isEqualTo(OffsetsTopic.partitionOf("pgcdc-test/snapshot/job@1", 10));
        assertThat(ChunkRecords.rows(text(chunkRecord.value()))).hasValue(2);

        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        writer.flush();
        assertThat(producer.commitCount()).as("neither the pause nor a flush commits part of chunk 8").isEqualTo(1);
        assertThat(journal).hasSize(2);

        RecordingCallback last = new RecordingCallback("w5", journal);
        writer.write(insert(5), records("k5"), last);
        await().atMost(Duration.ofSeconds(30)).until(() -> last.durable);
        assertThat(producer.commitCount()).isEqualTo(2);
        assertThat(journal).containsExactly("w1 durable", "w2 durable", "w3 durable", "w4 durable", "w5 durable");
        assertThat(producer.history()).filteredOn(record -> text(record.key()).startsWith("pgcdc-test/snapshot/"))
                .extracting(record -> text(record.key())).containsExactly("pgcdc-test/snapshot/job@1/7", "pgcdc-test/snapshot/job@1/8");
        assertThat(ChunkRecords.writerId("pgcdc-test", "i1")).isEqualTo("pgcdc-test-snapshot-i1");
    }

    private ExactlyOnceWriter writer(int batchSize, Duration transactionInterval, ChunkRecords chunks) {
        return writer(settings(batchSize).transactionInterval(transactionInterval), chunks);
    }

    private ExactlyOnceWriter writer(int batchSize, Duration transactionInterval) {
        return writer(batchSize, transactionInterval, null);
    }

    private ExactlyOnceWriter writer(KafkaSinkSettings.Builder builder, ChunkRecords chunks) {
        producer.initTransactions();
        KafkaSinkSettings settings = builder.build();
        return new ExactlyOnceWriter(producer, new RecordRouter(settings.tableTopicMapping()), (topic, usedFor) -> { }, settings,
                OFFSETS_PARTITION, clock::get, chunks);
    }

    private static KafkaSinkSettings.Builder settings(int batchSize) {
        return KafkaSinkSettings.builder().bootstrapServers("localhost:9092").mapTable(USERS, "users")
                .exactlyOnce(true).transactionalId("pgcdc-test").batchSize(batchSize).deliveryTimeout(Duration.ofMinutes(2));
    }

    /** MockProducer whose commits can time out or be interrupted, counting commit and abort calls. */
    private static final class CommitScriptedProducer extends MockProducer<byte[], byte[]> {
        final AtomicInteger commitTimeouts = new AtomicInteger();
        final AtomicInteger commitAttempts = new AtomicInteger();
        final AtomicInteger abortAttempts = new AtomicInteger();
        volatile boolean interruptCommit;
        volatile Runnable onCommitAttempt = () -> { };
        final CountDownLatch commitEntered = new CountDownLatch(1);
        volatile CountDownLatch blockCommit;

        CommitScriptedProducer() {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized void commitTransaction() {
            commitAttempts.incrementAndGet();
            onCommitAttempt.run();
            commitEntered.countDown();
            CountDownLatch block = blockCommit;
            if (block != null) {
                try {
                    block.await(); // as KafkaProducer waits for the broker's answer, up to max.block.ms
                } catch (InterruptedException e) {
                    throw new InterruptException(e);
                }
            }
            if (interruptCommit) {
                throw new InterruptException("commit interrupted");
            }
            if (commitTimeouts.getAndUpdate(left -> left > 0 ? left - 1 : 0) > 0) {
                throw new TimeoutException("Timeout expired after 120000ms while awaiting EndTxn(true)");
            }
            super.commitTransaction();
        }

        @Override
        public synchronized void abortTransaction() {
            abortAttempts.incrementAndGet();
            super.abortTransaction();
        }
    }
}
