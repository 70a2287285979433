package dev.pgcdc.kafka.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.junit.jupiter.api.Test;

/** Known values from kafka-go's balancer tests (which Sarama and librdkafka agree with). */
class PartitionerTest {

    @Test
    void referenceHashMatchesKafkaGoAndSarama() {
        assertThat(ReferenceHashPartitioner.partition(bytes("blah"), 2)).isEqualTo(0);
        assertThat(ReferenceHashPartitioner.partition(bytes("blah"), 3)).isEqualTo(1);
        assertThat(ReferenceHashPartitioner.partition(bytes("castle"), 3)).isEqualTo(2);
        // FNV-1a of "20" has its most significant bit set: the reference hash clears it rather than negating
        assertThat(ReferenceHashPartitioner.partition(bytes("20"), 16)).isEqualTo(15);
    }

    @Test
    void fnv1aHasGosKnownValues() {
        assertThat(ReferenceHashPartitioner.fnv1a32(new byte[0])).isEqualTo(0x811c9dc5);
        assertThat(ReferenceHashPartitioner.fnv1a32(bytes("a"))).isEqualTo(0xe40c292c);
        assertThat(ReferenceHashPartitioner.fnv1a32(bytes("foobar"))).isEqualTo(0xbf9cf968);
    }

    @Test
    void crc32MatchesLibrdkafkaConsistentRandom() {
        assertThat(Crc32Partitioner.crc32(bytes("23456"))).isEqualTo(0xb1b451d7L);
        assertThat(Crc32Partitioner.crc32(bytes("this is another string with more length to it perhaps"))).isEqualTo(0xb0150df7L);
        assertThat(Crc32Partitioner.crc32(bytes("hejsan"))).isEqualTo(0xd077037eL);
        assertThat(Crc32Partitioner.partition(bytes("23456"), 17)).isEqualTo((int) (0xb1b451d7L % 17));
        assertThat(Crc32Partitioner.partition(bytes("hejsan"), 17)).isEqualTo((int) (0xd077037eL % 17));
    }

    @Test
    void recordsWithoutKeyGoToSomePartitionInRange() {
        Set<Integer> crc = new HashSet<>();
        Set<Integer> reference = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            crc.add(Crc32Partitioner.partition(null, 4));
            crc.add(Crc32Partitioner.partition(new byte[0], 4));
            reference.add(ReferenceHashPartitioner.partition(null, 4));
        }
        assertThat(crc).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(reference).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void partitionersUseTheTopicsPartitionCount() {
        Node node = new Node(1, "localhost", 9092);
        List<PartitionInfo> partitions = List.of(
                new PartitionInfo("t", 0, node, new Node[] {node}, new Node[] {node}),
                new PartitionInfo("t", 1, node, new Node[] {node}, new Node[] {node}),
                new PartitionInfo("t", 2, node, new Node[] {node}, new Node[] {node}));
        Cluster cluster = new Cluster("c", List.of(node), partitions, Set.of(), Set.of());

        assertThat(new ReferenceHashPartitioner().partition("t", null, bytes("castle"), null, null, cluster)).isEqualTo(2);
        assertThat(new Crc32Partitioner().partition("t", null, bytes("hejsan"), null, null, cluster)).isEqualTo((int) (0xd077037eL % 3));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
