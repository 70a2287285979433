package dev.pgcdc.kafka.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;

/**
 * The record batches a local broker stored for a topic, read from its log segment files: what the
 * broker really has on disk (compression codec, producer id, transactional and control batches).
 */
final class BrokerBatches {

    private BrokerBatches() {
    }

    static List<RecordBatch> of(Path dataDirectory, String topic, int partition) {
        Path directory = dataDirectory.resolve(topic + "-" + partition);
        List<RecordBatch> batches = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path segment : files.filter(file -> file.toString().endsWith(".log")).sorted().toList()) {
                ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
                for (RecordBatch batch : MemoryRecords.readableRecords(bytes).batches()) {
                    batches.add(batch);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read the segments of " + directory + ": " + e, e);
        }
        return batches;
    }

    static List<RecordBatch> dataBatches(Path dataDirectory, String topic, int partition) {
        return of(dataDirectory, topic, partition).stream().filter(batch -> !batch.isControlBatch()).toList();
    }
}
