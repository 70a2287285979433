package dev.pgcdc.it.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka side's limit of the {@code snapshot} workload, run by {@link Benchmark} as a JVM of its own: a bare
 * {@link KafkaProducer} sends as many records as pgcdc's snapshot, of its average key, value and header sizes, with
 * pgcdc's default producer settings and its bound on records in flight ({@code pgcdc.pipeline.max-in-flight-events}),
 * and nothing else: no PostgreSQL, no encoding, one key array rewritten for each record and one value array for all
 * (send copies both into its batch before it returns), so it allocates as little as a producer can.
 *
 * <p>Arguments: {@code <bootstrap servers> <topic> <records> <key bytes> <value bytes> [<header key> <header value,
 * base64>]...}. Record {@code i} (1 to {@code records}) has the key {@code {"id":i}} padded with spaces to the key size,
 * or cut at its start to it (the digits stay, so keys are distinct: the default partitioner spreads them), a value of
 * {@code x}s and the headers given. Prints the count and the elapsed time and exits 0 once every record is
 * acknowledged; exits 1 with the error at the first failed send.
 */
final class ProduceLimit {

    /** pgcdc's default {@code pipeline.max-in-flight-events}: records sent but not yet acknowledged. */
    private static final int MAX_IN_FLIGHT = 2000;
    private static final byte[] KEY_PREFIX = "{\"id\":".getBytes(StandardCharsets.US_ASCII);

    private ProduceLimit() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 5 || args.length % 2 == 0) {
            System.err.println("usage: ProduceLimit <bootstrap servers> <topic> <records> <key bytes> <value bytes>"
                    + " [<header key> <header value, base64>]...");
            System.exit(2);
        }
        String topic = args[1];
        long records = Long.parseLong(args[2]);
        byte[] key = new byte[Integer.parseInt(args[3])];
        if (key.length < digits(records) + 1) {
            System.err.println("ProduceLimit: keys of " + key.length + " bytes cannot hold " + records + " distinct ids");
            System.exit(2);
        }
        byte[] value = new byte[Integer.parseInt(args[4])];
        Arrays.fill(value, (byte) 'x');
        List<Header> headers = new ArrayList<>();
        for (int i = 5; i < args.length; i += 2) {
            headers.add(new RecordHeader(args[i], Base64.getDecoder().decode(args[i + 1])));
        }
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings(args[0]), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (long id = 1; id <= records && failure.get() == null; id++) {
                writeKey(key, id);
                inFlight.acquire();
                producer.send(new ProducerRecord<>(topic, null, null, key, value, headers), (metadata, error) -> {
                    if (error == null) {
                        acknowledged.incrementAndGet();
                    } else {
                        failure.compareAndSet(null, error);
                    }
                    inFlight.release();
                });
            }
            producer.flush();
            inFlight.acquire(MAX_IN_FLIGHT);
        }
        if (failure.get() != null) {
            System.err.println("ProduceLimit: sending to " + topic + " failed after " + acknowledged.get() + " acknowledged records");
            failure.get().printStackTrace();
            System.exit(1);
        }
        System.out.printf("ProduceLimit: %d records acknowledged in %.2f s%n", acknowledged.get(), (System.nanoTime() - started) / 1e9);
    }

    /** pgcdc's producer settings with its defaults ({@code ClientProperties.producer} of cdc-kafka-sink), written out. */
    private static Map<String, Object> settings(String bootstrapServers) {
        return Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    }

    /** {@code {"id":<id>}} in {@code key}: padded with spaces at its end when shorter, its last bytes when longer. */
    static void writeKey(byte[] key, long id) {
        int at = Math.min(KEY_PREFIX.length + digits(id) + 1, key.length);
        Arrays.fill(key, at, key.length, (byte) ' ');
        key[--at] = '}';
        for (long rest = id; rest > 0 && at > 0; rest /= 10) {
            key[--at] = (byte) ('0' + rest % 10);
        }
        for (int prefix = KEY_PREFIX.length - 1; at > 0; prefix--) {
            key[--at] = KEY_PREFIX[prefix];
        }
    }

    private static int digits(long number) {
        int digits = 1;
        for (long rest = number; rest >= 10; rest /= 10) {
            digits++;
        }
        return digits;
    }
}
