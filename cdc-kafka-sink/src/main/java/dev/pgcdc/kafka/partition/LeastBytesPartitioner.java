package dev.pgcdc.kafka.partition;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;

/**
 * {@code partitioner = least-bytes}: each record goes to the partition of its topic that this
 * producer has sent the fewest key and value bytes to so far (the lowest partition number on a
 * tie), as kafka-go's {@code LeastBytes} balancer; the counts start again when the topic's
 * partition count changes. Keys are ignored: no per-key order. Thread-safe: one lock per topic.
 */
public final class LeastBytesPartitioner implements Partitioner {

    private final Map<String, Counters> topics = new ConcurrentHashMap<>();

    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        long bytes = (keyBytes == null ? 0 : keyBytes.length) + (valueBytes == null ? 0 : valueBytes.length);
        Counters counters = topics.computeIfAbsent(topic, t -> new Counters());
        return counters.charge(cluster.partitionsForTopic(topic).size(), bytes);
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public void close() {
    }

    /** Bytes sent per partition of one topic; guarded by its own monitor. */
    static final class Counters {
        private long[] bytes = new long[0];

        /** Picks the partition with the fewest bytes among {@code partitions} and adds {@code recordBytes} to it. */
        synchronized int charge(int partitions, long recordBytes) {
            if (bytes.length != partitions) {
                bytes = new long[partitions];
            }
            int least = 0;
            for (int i = 1; i < bytes.length; i++) {
                if (bytes[i] < bytes[least]) {
                    least = i;
                }
            }
            bytes[least] += recordBytes;
            return least;
        }
    }
}
