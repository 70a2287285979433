package dev.pgcdc.kafka;

import dev.pgcdc.api.snapshot.ChunkMark;
import dev.pgcdc.api.snapshot.ChunkMarks;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.OptionalLong;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The "chunk done" records of an exactly-once snapshot in the offsets topic, and the transactional ids
 * of its writers. Each snapshot instance writes under {@code <transactional-id>-snapshot-<instance id>},
 * so instances never fence each other and the stream keeps the configured id. A chunk's record, keyed
 * {@code <transactional-id>/snapshot/<job run>/<chunk id>} with value {@code rows=<n>;instance=<id>}, is
 * committed in the same transaction as the chunk's rows; every record of one job run goes to one
 * partition (murmur2 of {@code <transactional-id>/snapshot/<job run>}), so one partition tells whether
 * any chunk of the job was committed. Immutable; thread-safe.
 *
 * @param transactionalId the configured (the stream's) transactional id
 * @param instanceId      the snapshot instance that writes, or null for a reader only
 * @param marks           where the instance's chunks end, or null for a reader only
 * @param partitions      the offsets topic's partition count
 */
record ChunkRecords(String transactionalId, String instanceId, ChunkMarks marks, String topic, int partitions) {

    private static final String ROWS = "rows=";

    ChunkRecords {
        Objects.requireNonNull(transactionalId, "transactionalId");
        Objects.requireNonNull(topic, "topic");
    }

    /** The transactional id the snapshot instance {@code instanceId} writes under. */
    static String writerId(String transactionalId, String instanceId) {
        return transactionalId + "-snapshot-" + instanceId;
    }

    /** The key of chunk {@code chunkId}'s record. */
    String key(String jobRun, long chunkId) {
        return jobPrefix(jobRun) + "/" + chunkId;
    }

    /** The partition holding every chunk record of {@code jobRun}. */
    int partition(String jobRun) {
        return OffsetsTopic.partitionOf(jobPrefix(jobRun), partitions);
    }

    /** The record that says {@code mark}'s chunk is committed. */
    ProducerRecord<byte[], byte[]> record(ChunkMark mark) {
        String value = ROWS + mark.rows() + ";instance=" + instanceId;
        return new ProducerRecord<>(topic, partition(mark.jobRun()), key(mark.jobRun(), mark.chunkId()).getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    /** The row count a chunk record holds. */
    static OptionalLong rows(String value) {
        for (String field : value.split(";")) {
            if (field.startsWith(ROWS)) {
                try {
                    return OptionalLong.of(Long.parseLong(field.substring(ROWS.length())));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("\"" + field + "\" is not a row count", e);
                }
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" has no " + ROWS + "<n>");
    }

    private String jobPrefix(String jobRun) {
        return transactionalId + "/snapshot/" + jobRun;
    }
}
