package dev.pgcdc.kafka.partition;

import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code partitioner = fnv1a}: the 32-bit FNV-1a hash of the key bytes read as a signed 32-bit
 * integer, its remainder by the topic's partition count (truncated, as Go's {@code %}), negated when
 * negative. This is kafka-go's {@code Hash} balancer (the default {@code kafka.balancer} of
 * go-pq-cdc-kafka) and Sarama's default hash partitioner, so a key lands on the partition it landed
 * on with them. It differs from {@link ReferenceHashPartitioner} whenever the hash's sign bit is set.
 * A record without a key goes to a random partition (kafka-go spreads those round-robin; neither
 * keeps an order for them). Stateless and thread-safe; kafka-clients creates it by class name.
 */
public final class Fnv1aPartitioner extends KeyHashPartitioner {

    @Override
    int partitionOf(byte[] key, int partitions) {
        return partition(key, partitions);
    }

    /** The partition of {@code key} among {@code partitions}. */
    public static int partition(byte[] key, int partitions) {
        if (key == null) {
            return ThreadLocalRandom.current().nextInt(partitions);
        }
        // Java's % truncates toward zero like Go's, so the remainder has the hash's sign; |remainder| < partitions
        return Math.abs(ReferenceHashPartitioner.fnv1a32(key) % partitions);
    }
}
