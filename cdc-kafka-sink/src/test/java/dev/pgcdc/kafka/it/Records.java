package dev.pgcdc.kafka.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reads what the JSON handler wrote: the row key and the {@code seq} column, and checks order per key. */
final class Records {

    private Records() {
    }

    /** The value of a numeric field {@code "name":123} of a JSON text (the first one: {@code after} comes before {@code source}). */
    static long longField(String json, String name) {
        String marker = "\"" + name + "\":";
        int start = json.indexOf(marker);
        if (start < 0) {
            throw new AssertionError("no field " + name + " in " + json);
        }
        int from = start + marker.length();
        int to = from;
        while (to < json.length() && (Character.isDigit(json.charAt(to)) || json.charAt(to) == '-')) {
            to++;
        }
        return Long.parseLong(json.substring(from, to));
    }

    static long seq(ConsumerRecord<String, String> record) {
        return longField(record.value(), "seq");
    }

    /**
     * Per key, the sequence numbers in the order the topic holds them; also checks that a key
     * stays on one partition.
     */
    static Map<String, List<Long>> seqsByKey(List<ConsumerRecord<String, String>> records) {
        Map<String, List<Long>> byKey = new HashMap<>();
        Map<String, Integer> partitionOfKey = new HashMap<>();
        List<ConsumerRecord<String, String>> ordered = new ArrayList<>(records);
        ordered.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition()) : Long.compare(a.offset(), b.offset()));
        for (ConsumerRecord<String, String> record : ordered) {
            Integer previous = partitionOfKey.putIfAbsent(record.key(), record.partition());
            assertThat(previous == null || previous == record.partition()).as("key %s on one partition", record.key()).isTrue();
            byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(seq(record));
        }
        return byKey;
    }

    /** Asserts that each key's sequence numbers strictly increase (no reordering, no duplicate). */
    static void assertStrictlyIncreasingPerKey(Map<String, List<Long>> seqsByKey) {
        seqsByKey.forEach((key, seqs) -> {
            for (int i = 1; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as("seq %d of key %s after %s", i, key, seqs.get(i - 1)).isGreaterThan(seqs.get(i - 1));
            }
        });
    }
}
