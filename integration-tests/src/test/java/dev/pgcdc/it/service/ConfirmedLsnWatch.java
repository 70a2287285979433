package dev.pgcdc.it.service;

import dev.pgcdc.api.position.Lsn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Watches, while a test runs, whether a slot is ever confirmed past what Kafka holds. One thread
 * reads the slot's {@code confirmed_flush_lsn} every {@value #SAMPLE_MILLIS} ms; another keeps
 * asking the broker for the topic's end offsets (which stall while the broker is frozen). Once the
 * topic holds everything, {@link #violations} pairs each sample with the first end offsets asked for
 * <em>after</em> it: those cover everything Kafka had at the sample, so the first transaction missing
 * below them is no earlier than the one missing then, and a confirmed LSN past its commit LSN is a
 * confirmation of something Kafka had not taken. (The slot may legitimately be confirmed past the
 * commit LSN of the last transaction Kafka holds: to its end, or to the server's WAL end when nothing
 * is in flight; never past the commit of one it lacks.) Meant for at-least-once topics, where a
 * record is acknowledged only once the end offsets include it; an exactly-once commit is acknowledged
 * a moment before its markers make it visible to {@code read_committed} readers.
 *
 * <p>Threads of its own, named {@code slot-watch-*}; {@link #close} stops them. Thread-safe.
 */
public final class ConfirmedLsnWatch implements AutoCloseable {

    private static final long SAMPLE_MILLIS = 200;
    private static final long PROBE_PAUSE_MILLIS = 50;

    private final ReplicationSlot slot;
    private final String topic;
    private final TopicReader reader;
    private final List<Sample> samples = new ArrayList<>(); // guarded by itself
    private final List<Probe> probes = new ArrayList<>(); // guarded by itself
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopping;
    private final Thread sampler;
    private final Thread prober;

    private ConfirmedLsnWatch(ReplicationSlot slot, TopicReader reader, String topic) {
        this.slot = slot;
        this.reader = reader;
        this.topic = topic;
        sampler = new Thread(this::sample, "slot-watch-" + slot.name());
        prober = new Thread(this::probe, "slot-watch-offsets-" + topic);
    }

    /** Starts watching {@code slot} against {@code topic} as {@code reader} (its isolation level) sees it. */
    public static ConfirmedLsnWatch start(ReplicationSlot slot, TopicReader reader, String topic) {
        ConfirmedLsnWatch watch = new ConfirmedLsnWatch(slot, reader, topic);
        watch.prober.start();
        watch.sampler.start();
        return watch;
    }

    /** How many confirmed LSNs were read so far. */
    public int samples() {
        synchronized (samples) {
            return samples.size();
        }
    }

    /** The highest confirmed LSN read so far. */
    public Lsn highestConfirmed() {
        synchronized (samples) {
            return samples.stream().map(Sample::confirmed).reduce(Lsn.INVALID, Lsn::max);
        }
    }

    /**
     * Stops watching and returns, for each sample confirmed past the first transaction Kafka lacked,
     * a line saying so. {@code stored} indexes the topic's final contents.
     */
    public List<String> violations(StoredTransactions stored) {
        close();
        List<Sample> taken;
        List<Probe> asked;
        synchronized (samples) {
            taken = List.copyOf(samples);
        }
        synchronized (probes) {
            asked = List.copyOf(probes);
        }
        List<String> violations = new ArrayList<>();
        int next = 0;
        for (Sample sample : taken) {
            while (next < asked.size() && asked.get(next).startedNanos() <= sample.readNanos()) {
                next++;
            }
            if (next == asked.size()) {
                break; // no end offsets asked for after this sample: nothing to compare it with
            }
            Map<Integer, Long> endOffsets = asked.get(next).endOffsets();
            Optional<Lsn> firstMissing = stored.firstMissingBelow(endOffsets);
            if (firstMissing.isPresent() && sample.confirmed().isAfter(firstMissing.get())) {
                violations.add("confirmed_flush_lsn " + sample.confirmed() + " is past the commit LSN " + firstMissing.get()
                        + " of a transaction missing from " + topic + " (end offsets " + endOffsets + " asked "
                        + TimeUnit.NANOSECONDS.toMillis(asked.get(next).startedNanos() - sample.readNanos()) + " ms after the sample)");
            }
        }
        return violations;
    }

    @Override
    public void close() {
        stopping = true;
        join(sampler);
        join(prober);
        Throwable failed = failure.getAndSet(null);
        if (failed != null) {
            throw new AssertionError("watching slot " + slot.name() + " failed: " + failed, failed);
        }
    }

    private void sample() {
        try {
            while (!stopping) {
                long started = System.nanoTime();
                Lsn confirmed = slot.confirmedFlushLsn();
                long read = System.nanoTime();
                synchronized (samples) {
                    samples.add(new Sample(read, confirmed));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SAMPLE_MILLIS) - (read - started));
            }
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
        }
    }

    private void probe() {
        // short timeouts: while the broker is frozen a request fails fast and the next is asked as soon as it thaws
        Map<String, Object> timeouts = Map.of(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000, ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        try (KafkaConsumer<String, String> consumer = reader.open(timeouts)) {
            List<TopicPartition> partitions = TopicReader.assign(consumer, topic);
            while (!stopping) {
                long started = System.nanoTime();
                try {
                    Map<Integer, Long> endOffsets = TopicReader.endOffsets(consumer, partitions, Duration.ofSeconds(3));
                    synchronized (probes) {
                        probes.add(new Probe(started, endOffsets));
                    }
                } catch (TimeoutException e) {
                    continue; // the broker is frozen or down: ask again
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PROBE_PAUSE_MILLIS));
            }
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Sample(long readNanos, Lsn confirmed) {
    }

    private record Probe(long startedNanos, Map<Integer, Long> endOffsets) {
    }
}
