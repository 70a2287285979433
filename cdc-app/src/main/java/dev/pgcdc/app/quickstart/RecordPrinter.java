package dev.pgcdc.app.quickstart;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Prints every record of a topic from its beginning as it arrives, on a thread of its own ({@code pgcdc-quickstart-printer}). */
final class RecordPrinter implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final String topic;
    private final PrintWriter out;
    private final AtomicInteger printed = new AtomicInteger();
    private final Thread thread;
    private volatile boolean closed;

    RecordPrinter(Map<String, Object> clientProperties, String topic, PrintWriter out) {
        Map<String, Object> properties = new HashMap<>(clientProperties);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
        this.topic = topic;
        this.out = out;
        this.thread = new Thread(this::printLoop, "pgcdc-quickstart-printer");
        this.thread.setDaemon(true);
    }

    void start() {
        consumer.assign(List.of(new TopicPartition(topic, 0)));
        consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
        thread.start();
    }

    /** Waits until at least {@code count} records were printed; false if {@code timeout} passed first. */
    boolean awaitRecords(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (printed) {
            while (printed.get() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(printed, left);
            }
        }
        return true;
    }

    private void printLoop() {
        try {
            while (!closed) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    out.println("[kafka] " + record.topic() + "@" + record.offset() + " key=" + record.key() + " value=" + record.value());
                    out.flush();
                    synchronized (printed) {
                        printed.incrementAndGet();
                        printed.notifyAll();
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
