package dev.pgcdc.kafka.partition;

import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code partitioner = reference-hash}: the 32-bit FNV-1a hash of the key bytes with the sign bit
 * cleared, modulo the topic's partition count; a record without a key goes to a random partition.
 * This is Sarama's {@code NewReferenceHashPartitioner} and kafka-go's {@code ReferenceHash}
 * balancer ({@code kafka.balancer = ReferenceHash} in go-pq-cdc-kafka, whose default {@code Hash} is
 * {@link Fnv1aPartitioner}), so a key lands on the same partition as it did with them. Stateless and thread-safe; kafka-clients creates it by class name.
 */
public final class ReferenceHashPartitioner extends KeyHashPartitioner {

    private static final int FNV_OFFSET_BASIS = 0x811c9dc5;
    private static final int FNV_PRIME = 0x01000193;

    @Override
    int partitionOf(byte[] key, int partitions) {
        return partition(key, partitions);
    }

    /** The partition of {@code key} among {@code partitions}. */
    public static int partition(byte[] key, int partitions) {
        if (key == null) {
            return ThreadLocalRandom.current().nextInt(partitions);
        }
        return (fnv1a32(key) & 0x7fffffff) % partitions;
    }

    /** FNV-1a, 32 bits, of {@code bytes} (Go's {@code hash/fnv.New32a}). */
    public static int fnv1a32(byte[] bytes) {
        int hash = FNV_OFFSET_BASIS;
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= FNV_PRIME;
        }
        return hash;
    }
}
