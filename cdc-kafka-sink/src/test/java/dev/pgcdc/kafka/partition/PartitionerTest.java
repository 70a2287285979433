package dev.pgcdc.kafka.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.junit.jupiter.api.Test;

/**
 * The key-to-partition mapping of kafka-go's balancers (go-pq-cdc-kafka's {@code kafka.balancer}):
 * literal vectors from kafka-go's balancer tests and from an FNV-1a computed outside Java, and a
 * reference written here from the Go source's 32-bit arithmetic (uint32 hash, int32 conversion,
 * truncated remainder) over many keys and partition counts.
 */
class PartitionerTest {

    @Test
    void fnv1aIsKafkaGosDefaultHashBalancer() {
        // kafka-go TestHashBalancer
        assertThat(Fnv1aPartitioner.partition(bytes("blah"), 2)).isEqualTo(0);
        assertThat(Fnv1aPartitioner.partition(bytes("blah"), 3)).isEqualTo(1);
        assertThat(Fnv1aPartitioner.partition(bytes("boop"), 3)).isEqualTo(2);
        // FNV-1a of "20" is 0x8df2997f: negative as int32, so the remainder is negated (the reference hash gives 15)
        assertThat(Fnv1aPartitioner.partition(bytes("20"), 16)).isEqualTo(1);
        // keys as the json handler writes them; expected values computed with an FNV-1a outside Java
        assertThat(Fnv1aPartitioner.partition(bytes("{\"id\":42}"), 3)).isEqualTo(0);
        assertThat(Fnv1aPartitioner.partition(bytes("{\"id\":42}"), 16)).isEqualTo(14);
        assertThat(ReferenceHashPartitioner.partition(bytes("{\"id\":42}"), 16)).isEqualTo(2);
        assertThat(Fnv1aPartitioner.partition(bytes("boop"), 32)).isEqualTo(23);
        assertThat(ReferenceHashPartitioner.partition(bytes("boop"), 32)).isEqualTo(9);
        assertThat(Fnv1aPartitioner.partition(new byte[0], 16)).isEqualTo(11);
        assertThat(ReferenceHashPartitioner.partition(new byte[0], 16)).isEqualTo(5);
    }

    @Test
    void fnv1aAndReferenceHashFollowGosArithmeticForEveryKeyAndPartitionCount() {
        java.util.Random random = new java.util.Random(12);
        for (int i = 0; i < 20_000; i++) {
            byte[] key = new byte[random.nextInt(40)];
            random.nextBytes(key);
            int partitions = 1 + random.nextInt(200);
            assertThat(Fnv1aPartitioner.partition(key, partitions)).isEqualTo(goHash(key, partitions));
            assertThat(ReferenceHashPartitioner.partition(key, partitions)).isEqualTo(goReferenceHash(key, partitions));
        }
    }

    @Test
    void hashIsKafkaGosMurmur2Balancer() {
        // kafka-go TestMurmur2Balancer (from kafka-python), 1000 partitions
        Map<String, Integer> expected = Map.of("", 681, "a", 524, "ab", 434, "abc", 107, "123456789", 566, "\u0000 ", 742);
        expected.forEach((key, partition) ->
                assertThat(BuiltInPartitioner.partitionForKey(bytes(key), 1000)).as("key %s", key).isEqualTo(partition));
        // librdkafka's murmur2 vectors, 17 partitions
        assertThat(BuiltInPartitioner.partitionForKey(bytes("23456"), 17)).isEqualTo((int) (0x058d780fL % 17));
        assertThat(BuiltInPartitioner.partitionForKey(bytes("hejsan"), 17)).isEqualTo((int) (0x5ec19395L % 17));
    }

    @Test
    void leastBytesSendsEachRecordToThePartitionWithTheFewestBytesAsKafkaGo() {
        LeastBytesPartitioner.Counters counters = new LeastBytesPartitioner.Counters();

        // ties go to the lowest partition; then the one with the fewest bytes so far
        assertThat(counters.charge(3, 10)).isEqualTo(0);
        assertThat(counters.charge(3, 5)).isEqualTo(1);
        assertThat(counters.charge(3, 20)).isEqualTo(2);
        assertThat(counters.charge(3, 1)).isEqualTo(1); // 10, 6, 20
        assertThat(counters.charge(3, 4)).isEqualTo(1); // 10, 10, 20
        assertThat(counters.charge(3, 1)).isEqualTo(0); // a tie: the lowest partition
        // another partition count: the counts start again
        assertThat(counters.charge(2, 1)).isEqualTo(0);
        assertThat(counters.charge(2, 1)).isEqualTo(1);
    }

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
        assertThat(new Fnv1aPartitioner().partition("t", null, bytes("blah"), null, null, cluster)).isEqualTo(1);
        assertThat(new LeastBytesPartitioner().partition("t", null, bytes("k"), null, bytes("value"), cluster)).isEqualTo(0);
    }

    /** kafka-go's Hash: FNV-1a as uint32, converted to int32, Go's truncated remainder, negated when negative. */
    private static int goHash(byte[] key, int partitions) {
        int signed = (int) fnv1aUint32(key);
        int remainder = signed % partitions;
        return remainder < 0 ? -remainder : remainder;
    }

    /** kafka-go's ReferenceHash: (int32(hash) & 0x7fffffff) % partitions. */
    private static int goReferenceHash(byte[] key, int partitions) {
        return ((int) fnv1aUint32(key) & 0x7fffffff) % partitions;
    }

    /** FNV-1a 32 as Go's hash/fnv computes it, the uint32 held in a long. */
    private static long fnv1aUint32(byte[] key) {
        long hash = 2166136261L;
        for (byte b : key) {
            hash ^= b & 0xffL;
            hash = (hash * 16777619L) & 0xffffffffL;
        }
        return hash;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
