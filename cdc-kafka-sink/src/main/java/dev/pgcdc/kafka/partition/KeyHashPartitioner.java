package dev.pgcdc.kafka.partition;

import java.util.Map;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;

/**
 * A partitioner that picks a partition from the key bytes and the topic's partition count alone
 * (no state, no configuration): the hash partitioners of this package. Thread-safe.
 */
abstract class KeyHashPartitioner implements Partitioner {

    @Override
    public final int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        return partitionOf(keyBytes, cluster.partitionsForTopic(topic).size());
    }

    /** The partition of {@code key} among {@code partitions}. */
    abstract int partitionOf(byte[] key, int partitions);

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public void close() {
    }
}
