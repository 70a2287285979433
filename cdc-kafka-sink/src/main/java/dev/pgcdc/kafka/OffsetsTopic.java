package dev.pgcdc.kafka;

import dev.pgcdc.api.SinkException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the last committed position of exactly-once mode back from the offsets topic. Each
 * transactional id's records live in one partition, chosen from its key as kafka-clients' default
 * partitioner does (murmur2), so instances with other ids mostly write to other partitions.
 *
 * <p>A {@code read_committed} consumer only reads up to the partition's last stable offset, which an
 * open transaction of another producer holds below our own last record: the read would find an older
 * position and send committed events again. So the read first waits until the last stable offset
 * reaches the high watermark seen after {@code initTransactions()} (which settled our own last
 * transaction), bounded by {@code delivery-timeout}, and fails naming the transactional ids that
 * hold it otherwise. The same read answers whether an exactly-once snapshot committed a chunk
 * ({@link #readCommitted}, {@link ChunkRecords}). Opens and closes its own consumer for each read.
 */
final class OffsetsTopic {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetsTopic.class);
    private static final long STABLE_RETRY_MILLIS = 100;

    private final Admin admin;
    private final Function<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory;
    private final KafkaSinkSettings settings;

    OffsetsTopic(Admin admin, Function<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory, KafkaSinkSettings settings) {
        this.admin = admin;
        this.consumerFactory = consumerFactory;
        this.settings = settings;
    }

    /** The partition of the offsets topic that holds {@code transactionalId}'s records: murmur2 of the key, as kafka-clients. */
    static int partitionOf(String transactionalId, int partitions) {
        return Utils.toPositive(Utils.murmur2(transactionalId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /**
     * The last position committed under the transactional id, with its origin; empty when none was
     * (or its key was deleted with a tombstone). Call after {@code initTransactions()}.
     */
    Optional<StoredPosition> readCommittedPosition(int partition) {
        String topic = settings.offsetsTopic();
        TopicPartition ours = new TopicPartition(topic, partition);
        byte[] key = settings.transactionalId().getBytes(StandardCharsets.UTF_8);
        String what = "the last committed position of " + settings.transactionalId();
        Lookup lookup = read(ours, key, what);
        if (!lookup.seen && partition != 0) {
            // versions before the per-key partition wrote partition 0 of any offsets topic
            Lookup legacy = read(new TopicPartition(topic, 0), key, what);
            if (legacy.seen) {
                LOG.info("found the position of {} in partition 0 of {}, where earlier versions stored it; it is stored in partition {} from now on",
                        settings.transactionalId(), topic, partition);
                lookup = legacy;
            }
        }
        return Optional.ofNullable(lookup.value).map(text -> parse(text, topic));
    }

    /**
     * The last committed value of {@code key} in {@code partition}, once every transaction open below the
     * partition's current end has ended; empty when there is none (or a tombstone).
     *
     * @param what what the value is, for error messages
     */
    Optional<String> readCommitted(int partition, String key, String what) {
        return Optional.ofNullable(read(new TopicPartition(settings.offsetsTopic(), partition), key.getBytes(StandardCharsets.UTF_8), what).value);
    }

    private Lookup read(TopicPartition partition, byte[] key, String what) {
        Duration timeout = settings.requestTimeout().plusSeconds(30);
        try {
            long highWatermark = endOffset(partition, IsolationLevel.READ_UNCOMMITTED);
            awaitStable(partition, highWatermark, what);
            return scan(partition, key, highWatermark, timeout);
        } catch (KafkaException e) {
            throw new SinkException("cannot read " + what + " from the offsets topic " + partition.topic() + ": " + e
                    + SinkErrors.hint(e), e);
        }
    }

    /** Waits until no open transaction starts below {@code highWatermark}: then every record below it is committed or aborted. */
    private void awaitStable(TopicPartition partition, long highWatermark, String what) {
        long deadline = System.nanoTime() + settings.deliveryTimeout().toNanos();
        long stable = endOffset(partition, IsolationLevel.READ_COMMITTED);
        if (stable < highWatermark) {
            LOG.info("waiting up to {} for open transactions on {} (below offset {}) to end before reading {}",
                    settings.deliveryTimeout(), partition, highWatermark, what);
        }
        while (stable < highWatermark) {
            if (System.nanoTime() > deadline) {
                throw new SinkException("cannot read " + what + " from " + partition
                        + ": open transactions of other producers hold its last stable offset at " + stable + ", below " + highWatermark
                        + ", for longer than pgcdc.kafka.delivery-timeout (" + settings.deliveryTimeout() + "): " + openTransactions(partition, highWatermark)
                        + ". Reading now could miss what they commit and send committed events again. Wait for them to commit or time out"
                        + " (their producers' transaction.timeout.ms), or abort a hanging one with kafka-transactions.sh --bootstrap-server "
                        + settings.bootstrapServers() + " abort --topic " + partition.topic() + " --partition " + partition.partition()
                        + " --start-offset <its start offset>");
            }
            sleep(partition);
            stable = endOffset(partition, IsolationLevel.READ_COMMITTED);
        }
    }

    private Lookup scan(TopicPartition partition, byte[] key, long highWatermark, Duration timeout) {
        Lookup lookup = new Lookup();
        try (Consumer<byte[], byte[]> consumer = consumerFactory.apply(ClientProperties.offsetsConsumer(settings))) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (consumer.position(partition, timeout) < highWatermark) {
                if (System.nanoTime() > deadline) {
                    throw new SinkException("reading the offsets topic " + partition + " up to offset " + highWatermark + " took longer than "
                            + timeout + "; check the brokers");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < highWatermark && Arrays.equals(record.key(), key)) {
                        lookup.seen = true;
                        lookup.value = record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        return lookup;
    }

    private long endOffset(TopicPartition partition, IsolationLevel isolation) {
        try {
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest()), new ListOffsetsOptions(isolation)).partitionResult(partition)
                    .get(settings.requestTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS).offset();
        } catch (ExecutionException e) {
            throw new SinkException("cannot read the end offset of " + partition + " of the offsets topic: " + e.getCause()
                    + SinkErrors.hint(e.getCause()), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new SinkException("cannot read the end offset of " + partition + " of the offsets topic: no answer within "
                    + settings.requestTimeout() + " (pgcdc.kafka.request-timeout); check that the brokers are up", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkException("interrupted while reading the offsets topic", e);
        }
    }

    /** The transactions open on {@code partition} that started below {@code below}, by transactional id where Kafka tells it. */
    private String openTransactions(TopicPartition partition, long below) {
        long waitMillis = settings.requestTimeout().toMillis() + 5000;
        try {
            List<ProducerState> open = new ArrayList<>();
            for (ProducerState producer : admin.describeProducers(List.of(partition)).partitionResult(partition)
                    .get(waitMillis, TimeUnit.MILLISECONDS).activeProducers()) {
                if (producer.currentTransactionStartOffset().isPresent() && producer.currentTransactionStartOffset().getAsLong() < below) {
                    open.add(producer);
                }
            }
            Map<Long, String> ids = new HashMap<>();
            try {
                Set<Long> producerIds = new HashSet<>();
                open.forEach(producer -> producerIds.add(producer.producerId()));
                for (TransactionListing listing : admin.listTransactions(new ListTransactionsOptions().filterProducerIds(producerIds)).all()
                        .get(waitMillis, TimeUnit.MILLISECONDS)) {
                    ids.put(listing.producerId(), listing.transactionalId());
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                // without DESCRIBE on the transactional ids the producer ids must do
            }
            List<String> described = new ArrayList<>();
            for (ProducerState producer : open) {
                String id = ids.get(producer.producerId());
                described.add((id == null ? "producer id " + producer.producerId() : "transactional id " + id + " (producer id "
                        + producer.producerId() + ")") + " open since offset " + producer.currentTransactionStartOffset().getAsLong());
            }
            return described.isEmpty() ? "no open transaction is listed any more" : String.join(", ", described);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
            return "the open transactions cannot be listed (" + (e instanceof ExecutionException ? e.getCause() : e) + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while listing the open transactions";
        }
    }

    private static void sleep(TopicPartition partition) {
        try {
            Thread.sleep(STABLE_RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkException("interrupted while waiting for open transactions on " + partition, e);
        }
    }

    private StoredPosition parse(String text, String topic) {
        try {
            return StoredPosition.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SinkException("the offsets topic " + topic + " holds \"" + text + "\" for " + settings.transactionalId()
                    + ", which is not a position; was the topic written by something else? " + e.getMessage(), e);
        }
    }

    /** What the scan of one partition found for our key: whether it was there at all, and its last value (null for a tombstone). */
    private static final class Lookup {
        boolean seen;
        String value;
    }
}
