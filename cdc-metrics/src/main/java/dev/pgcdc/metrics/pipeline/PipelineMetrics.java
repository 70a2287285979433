package dev.pgcdc.metrics.pipeline;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.pipeline.ErrorPolicy;
import dev.pgcdc.api.pipeline.PipelineListener;
import dev.pgcdc.metrics.MetricLabels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The pipeline's meters, as go-pq-cdc and go-pq-cdc-kafka name them:
 * <ul>
 *   <li>{@code pgcdc_insert_total}, {@code pgcdc_update_total}, {@code pgcdc_delete_total} (and
 *       {@code pgcdc_truncate_total}, {@code pgcdc_message_total}, {@code pgcdc_read_total}): events
 *       handled, per operation;</li>
 *   <li>{@code pgcdc_process_latency_current}: nanoseconds from the commit of the last handled event
 *       to its handling (kept as it was while nothing flows: use the two below for alerts);</li>
 *   <li>{@code pgcdc_process_latency_seconds}: the same latency as a Prometheus summary over a sliding
 *       window of about {@value #WINDOW_SECONDS} seconds ({@code quantile="0.5"} and {@code "0.99"});
 *       the quantiles fall to 0 once the window holds no event; {@code pgcdc_process_latency_seconds_max}
 *       is the largest over a longer window (Micrometer keeps it for {@value #WINDOW_SECONDS} s times
 *       {@link #WINDOW_BUFFERS}, so 3 minutes) and falls to 0 after it; {@code _count} and {@code _sum} are cumulative (so
 *       {@code rate(_sum)/rate(_count)} is the mean over any range, and no value at all when idle); it
 *       takes one observation per transaction and millisecond of handling, so {@code _count} counts those,
 *       not events (the operation counters count events);</li>
 *   <li>{@code pgcdc_last_event_age_seconds}: seconds since the pipeline last handled (or skipped as
 *       committed) an event, {@code pgcdc_last_ack_age_seconds}: seconds since the sink last
 *       acknowledged a write as durable; both count from the creation of these meters until the first
 *       one, and grow while nothing flows (with the slot lag, an alert tells "stuck" from "idle");</li>
 *   <li>{@code pgcdc_bulk_request_process_latency_current}: nanoseconds the last write took from
 *       the hand-over to the sink until it was durable;</li>
 *   <li>{@code pgcdc_write_total{topic_name}}: records durable in the sink;</li>
 *   <li>{@code pgcdc_err_total{topic_name}}: handler errors (whatever the policy) and pipeline
 *       failures ({@code topic_name="none"});</li>
 *   <li>{@code pgcdc_events_skipped_committed_total}: events not handled because the sink had
 *       already committed them (the replay after an exactly-once restart).</li>
 * </ul>
 * The topic of an event is the one its table maps to ({@code topicOf}), {@value #UNMAPPED} when
 * none does.
 *
 * <p>Threading: {@link #onHandled}, {@link #onHandlerError} and {@link #onSkippedAsCommitted} run on the pipeline thread,
 * {@link #onDurable} on the sink's callback thread; every meter is thread-safe and per-topic meters
 * are looked up in a concurrent map, so nothing here blocks.
 */
public final class PipelineMetrics implements PipelineListener {

    /** {@code topic_name} of events whose table maps to no topic. */
    public static final String UNMAPPED = "unmapped";
    /** {@code topic_name} of errors that concern no topic (a failed source, a broken sink). */
    public static final String NO_TOPIC = "none";
    /** Length of the window of {@code pgcdc_process_latency_seconds}, in seconds. */
    public static final long WINDOW_SECONDS = 60;
    /** Ring buffers of the window: it slides every {@code WINDOW_SECONDS / WINDOW_BUFFERS} seconds. */
    static final int WINDOW_BUFFERS = 3;

    private final MeterRegistry registry;
    private final Function<TableId, String> topicOf;
    private final Clock clock;

    private final Counter inserts;
    private final Counter updates;
    private final Counter deletes;
    private final Counter truncates;
    private final Counter messages;
    private final Counter reads;
    private final Counter skippedAsCommitted;
    private final AtomicLong processLatencyNanos = new AtomicLong();
    private final AtomicLong writeLatencyNanos = new AtomicLong();
    private final Timer processLatency;
    /** Commit time and handling millisecond of the last observation of {@link #processLatency} (pipeline thread only). */
    private Instant lastSampledCommit;
    private long lastSampledMillis = Long.MIN_VALUE;
    /** Epoch milliseconds of the last handled event and of the last durable write (any thread). */
    private volatile long lastEventMillis;
    private volatile long lastAckMillis;
    private final Map<TableId, String> topicsByTable = new ConcurrentHashMap<>();
    private final Map<String, Counter> writesByTopic = new ConcurrentHashMap<>();
    /** The table of the last durable event and its topic's write counter (any thread; replaced whole). */
    private volatile TableCounter lastTableCounter;
    private final Map<String, Counter> errorsByTopic = new ConcurrentHashMap<>();

    /**
     * @param registry where the meters go
     * @param topicOf  the topic a table's records go to, or null when it has none
     * @param clock    the clock commit times are compared with and ages are counted on (the window of
     *                 {@code pgcdc_process_latency_seconds} slides on the registry's clock)
     */
    public PipelineMetrics(MeterRegistry registry, Function<TableId, String> topicOf, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.topicOf = Objects.requireNonNull(topicOf, "topicOf");
        this.clock = Objects.requireNonNull(clock, "clock");
        inserts = operationCounter("pgcdc.insert", "Inserts handled");
        updates = operationCounter("pgcdc.update", "Updates handled");
        deletes = operationCounter("pgcdc.delete", "Deletes handled");
        truncates = operationCounter("pgcdc.truncate", "Truncates handled (one per table)");
        messages = operationCounter("pgcdc.message", "Logical decoding messages handled");
        reads = operationCounter("pgcdc.read", "Snapshot rows handled");
        skippedAsCommitted = operationCounter("pgcdc.events.skipped.committed",
                "Events not handled because the sink had already committed them (replay after an exactly-once restart)");
        Gauge.builder("pgcdc.process.latency.current", processLatencyNanos, AtomicLong::doubleValue)
                .description("Nanoseconds from the commit of the last handled event to its handling")
                .strongReference(true)
                .register(registry);
        Gauge.builder("pgcdc.bulk.request.process.latency.current", writeLatencyNanos, AtomicLong::doubleValue)
                .description("Nanoseconds the last write took from hand-over to the sink until durable")
                .strongReference(true)
                .register(registry);
        processLatency = Timer.builder("pgcdc.process.latency")
                .description("Time from the commit of an event to its handling, over a sliding window of about "
                        + WINDOW_SECONDS + " s; one observation per transaction and millisecond")
                .publishPercentiles(0.5, 0.99)
                .distributionStatisticExpiry(Duration.ofSeconds(WINDOW_SECONDS))
                .distributionStatisticBufferLength(WINDOW_BUFFERS)
                .register(registry);
        long created = clock.millis();
        lastEventMillis = created;
        lastAckMillis = created;
        Gauge.builder("pgcdc.last.event.age", this, m -> m.secondsSince(m.lastEventMillis)).baseUnit("seconds")
                .description("Seconds since the pipeline last handled an event (since the start before the first)")
                .strongReference(true)
                .register(registry);
        Gauge.builder("pgcdc.last.ack.age", this, m -> m.secondsSince(m.lastAckMillis)).baseUnit("seconds")
                .description("Seconds since the sink last acknowledged a write as durable (since the start before the first)")
                .strongReference(true)
                .register(registry);
        // present from the start, so that an alert on it sees 0 rather than no series
        errorCounter(NO_TOPIC);
    }

    public PipelineMetrics(MeterRegistry registry, Function<TableId, String> topicOf) {
        this(registry, topicOf, Clock.systemUTC());
    }

    @Override
    public void onHandled(ChangeEvent event, int records, long handlerNanos) {
        switch (event.operation()) {
            case INSERT -> inserts.increment();
            case UPDATE -> updates.increment();
            case DELETE -> deletes.increment();
            case TRUNCATE -> truncates.increment();
            case MESSAGE -> messages.increment();
            case READ -> reads.increment();
            default -> throw new IllegalStateException("unknown operation " + event.operation());
        }
        Instant now = clock.instant();
        long latency = nanosBetween(event.commitTime(), now);
        processLatencyNanos.set(latency);
        long nowMillis = now.toEpochMilli();
        if (nowMillis != lastSampledMillis || !event.commitTime().equals(lastSampledCommit)) {
            // one observation per transaction and millisecond: the events of a large transaction handled
            // within the same millisecond have the same latency to the millisecond, and recording each
            // (three histograms of the sliding window per record) was 10% of the pipeline thread's time
            processLatency.record(latency, TimeUnit.NANOSECONDS);
            lastSampledCommit = event.commitTime();
            lastSampledMillis = nowMillis;
        }
        lastEventMillis = nowMillis;
    }

    @Override
    public void onHandlerError(ChangeEvent event, Throwable error, ErrorPolicy policy) {
        errorCounter(topicOf(event)).increment();
    }

    @Override
    public void onDurable(ChangeEvent event, int records, long writeNanos) {
        tableWriteCounter(event.table()).increment(records);
        writeLatencyNanos.set(writeNanos);
        lastAckMillis = clock.millis();
    }

    @Override
    public void onDurable(ChangeEvent event, int records, List<String> namedTopics, long writeNanos) {
        // a record the handler addressed (a logical message's topic, a dead letter) counts under its
        // topic; the others under the topic of the event's table
        for (int i = 0; i < namedTopics.size(); i++) {
            writeCounter(namedTopics.get(i)).increment();
        }
        int unaddressed = records - namedTopics.size();
        if (unaddressed > 0) {
            tableWriteCounter(event.table()).increment(unaddressed);
        }
        writeLatencyNanos.set(writeNanos);
        lastAckMillis = clock.millis();
    }

    @Override
    public void onSkippedAsCommitted(ChangeEvent event) {
        skippedAsCommitted.increment();
        lastEventMillis = clock.millis();
    }

    @Override
    public void onFailure(Throwable error) {
        errorCounter(NO_TOPIC).increment();
    }

    private double secondsSince(long epochMillis) {
        return Math.max(0, clock.millis() - epochMillis) / 1000.0;
    }

    private static long nanosBetween(Instant commitTime, Instant now) {
        return (now.getEpochSecond() - commitTime.getEpochSecond()) * 1_000_000_000L + (now.getNano() - commitTime.getNano());
    }

    private String topicOf(ChangeEvent event) {
        TableId table = event.table();
        if (table == null) {
            return UNMAPPED;
        }
        return topicsByTable.computeIfAbsent(table, t -> Objects.requireNonNullElse(topicOf.apply(t), UNMAPPED));
    }

    /**
     * The write counter of {@code table}'s topic: the last one is remembered, because a stream mostly
     * repeats its table and this runs once per durable event (no map look-up, no allocation then).
     */
    private Counter tableWriteCounter(TableId table) {
        TableCounter last = lastTableCounter;
        if (last != null && (last.table() == table || last.table().equals(table))) { // the decoder reuses a relation's TableId
            return last.counter();
        }
        Counter counter = writeCounter(table == null ? UNMAPPED : topicOf(table));
        if (table != null) {
            lastTableCounter = new TableCounter(table, counter);
        }
        return counter;
    }

    private String topicOf(TableId table) {
        return topicsByTable.computeIfAbsent(table, t -> Objects.requireNonNullElse(topicOf.apply(t), UNMAPPED));
    }

    private record TableCounter(TableId table, Counter counter) {
    }

    private Counter writeCounter(String topic) {
        return writesByTopic.computeIfAbsent(topic, t -> Counter.builder("pgcdc.write")
                .description("Records durable in the sink")
                .tag(MetricLabels.TOPIC_NAME, t)
                .register(registry));
    }

    private Counter errorCounter(String topic) {
        return errorsByTopic.computeIfAbsent(topic, t -> Counter.builder("pgcdc.err")
                .description("Handler errors (whatever the error policy) and pipeline failures")
                .tag(MetricLabels.TOPIC_NAME, t)
                .register(registry));
    }

    private Counter operationCounter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }
}
