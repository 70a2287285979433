package dev.pgcdc.kafka.partition;

import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;

/**
 * {@code partitioner = crc32}: the CRC-32 (IEEE) of the key bytes, unsigned, modulo the topic's
 * partition count; a record without a key (or with an empty one) goes to a random partition. The
 * same choice as librdkafka's {@code consistent_random} and kafka-go's {@code CRC32Balancer}, so
 * producers in those clients and pgcdc put a key on the same partition. Stateless and thread-safe;
 * kafka-clients creates it by class name.
 */
public final class Crc32Partitioner extends KeyHashPartitioner {

    @Override
    int partitionOf(byte[] key, int partitions) {
        return partition(key, partitions);
    }

    /** The partition of {@code key} among {@code partitions}. */
    public static int partition(byte[] key, int partitions) {
        if (key == null || key.length == 0) {
            return ThreadLocalRandom.current().nextInt(partitions);
        }
        return (int) (crc32(key) % partitions);
    }

    /** CRC-32 (IEEE 802.3) of {@code bytes}, as an unsigned value. */
    public static long crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length);
        return crc.getValue();
    }
}
