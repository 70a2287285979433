package dev.pgcdc.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.HandlerException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.pipeline.ErrorPolicy;
import dev.pgcdc.api.pipeline.PipelineListener;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.position.Position;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PipelineTest {

    private static final ChangeHandler ONE_RECORD = event -> List.of(OutRecord.of(null,
            event.after().value("id").toString().getBytes(StandardCharsets.UTF_8)));

    private Pipeline pipeline;

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.stop();
        }
    }

    @Test
    void acknowledgesAnEventOnlyOnceTheSinkConfirmsIt() {
        ScriptedSource source = new ScriptedSource(3);
        ControlledSink sink = new ControlledSink();
        pipeline = new Pipeline("t", source, ONE_RECORD, sink);
        pipeline.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> sink.written.size() == 3);
        assertThat(source.acknowledged).isEmpty();

        sink.confirmNext();
        assertThat(source.acknowledged).containsExactly(source.events.get(0).position());
        sink.confirmAll();
        assertThat(source.acknowledged).hasSize(3);
    }

    @Test
    void tellsTheListenerTheRecordCountAndTheTopicsTheHandlerNamedOnceDurable() {
        ScriptedSource source = new ScriptedSource(2);
        ControlledSink sink = new ControlledSink();
        ChangeHandler addressed = event -> event.after().value("id").equals(0) ? ONE_RECORD.handle(event)
                : List.of(OutRecord.of(null, new byte[1]), new OutRecord("audit", null, new byte[1], List.of()));
        List<String> durable = new CopyOnWriteArrayList<>();
        PipelineListener listener = new PipelineListener() {
            @Override
            public void onDurable(ChangeEvent event, int records, List<String> namedTopics, long writeNanos) {
                durable.add(event.after().value("id") + ": " + records + " " + namedTopics);
            }
        };
        pipeline = new Pipeline("t", source, addressed, sink, PipelineSettings.defaults(), listener);
        pipeline.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> sink.written.size() == 2);
        assertThat(durable).isEmpty();
        sink.confirmAll();
        assertThat(durable).containsExactly("0: 1 []", "1: 2 [audit]");
    }

    @Test
    void endsWithoutFailureOnceAFiniteSourceIsExhaustedAndEverythingIsAcknowledged() throws Exception {
        ScriptedSource source = new ScriptedSource(5);
        source.finite = true;
        ControlledSink sink = new ControlledSink();
        pipeline = new Pipeline("t", source, ONE_RECORD, sink);
        pipeline.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> sink.written.size() == 5);
        assertThat(pipeline.isTerminated()).isFalse(); // draining: five records still in flight
        sink.confirmAll();

        assertThat(pipeline.awaitTermination(Duration.ofSeconds(60))).isTrue();
        assertThat(pipeline.failure()).isEmpty();
        assertThat(pipeline.isExhausted()).isTrue();
        assertThat(source.acknowledged).hasSize(5);
        assertThat(source.closed).isTrue();
    }

    @Test
    void stopsPollingWhileTheInFlightBoundIsReached() throws Exception {
        ScriptedSource source = new ScriptedSource(50);
        ControlledSink sink = new ControlledSink();
        PipelineSettings settings = PipelineSettings.builder().maxInFlightEvents(4).pollBatchSize(2).build();
        pipeline = new Pipeline("t", source, ONE_RECORD, sink, settings, PipelineListener.NONE);
        pipeline.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> source.keepAlives.get() >= 2);
        assertThat(sink.written).hasSize(4);
        assertThat(source.emitted.get()).isEqualTo(4);

        sink.confirmImmediately = true;
        sink.confirmAll();
        await().atMost(Duration.ofSeconds(60)).until(() -> source.acknowledged.size() == 50);
    }

    @Test
    void boundsInFlightBytes() {
        ScriptedSource source = new ScriptedSource(20);
        ControlledSink sink = new ControlledSink();
        ChangeHandler kilobyte = event -> List.of(OutRecord.of(null, new byte[1024]));
        PipelineSettings settings = PipelineSettings.builder().maxInFlightBytes(3000).pollBatchSize(1).shutdownTimeout(Duration.ofMillis(200)).build();
        pipeline = new Pipeline("t", source, kilobyte, sink, settings, PipelineListener.NONE);
        pipeline.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> source.keepAlives.get() >= 2);
        assertThat(sink.written).hasSize(3);
    }

    @Test
    void failPolicyStopsWithoutAcknowledgingTheFailedEvent() throws Exception {
        ScriptedSource source = new ScriptedSource(5);
        ControlledSink sink = new ControlledSink();
        sink.confirmImmediately = true;
        ChangeHandler failsOnThird = event -> {
            if (event.after().value("id").equals(2)) {
                throw new IllegalStateException("boom");
            }
            return ONE_RECORD.handle(event);
        };
        pipeline = new Pipeline("t", source, failsOnThird, sink);
        pipeline.start();

        assertThat(pipeline.awaitTermination(Duration.ofSeconds(60))).isTrue();
        assertThat(pipeline.failure()).get().isInstanceOf(HandlerException.class);
        assertThat(pipeline.failure().get().getMessage()).contains("INSERT on public.t at 0/3FC#0", "boom");
        assertThat(source.acknowledged).containsExactly(source.events.get(0).position(), source.events.get(1).position());
        assertThat(source.closed).isTrue();
        assertThat(sink.closed).isTrue();
    }

    @Test
    void skipPolicyAcknowledgesTheFailedEventAndGoesOn() {
        ScriptedSource source = new ScriptedSource(3);
        ControlledSink sink = new ControlledSink();
        sink.confirmImmediately = true;
        ChangeHandler failsOnFirst = event -> {
            if (event.after().value("id").equals(0)) {
                throw new IllegalStateException("boom");
            }
            return ONE_RECORD.handle(event);
        };
        pipeline = new Pipeline("t", source, failsOnFirst, sink,
                PipelineSettings.builder().errorPolicy(ErrorPolicy.SKIP).build(), PipelineListener.NONE);
        pipeline.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> source.acknowledged.size() == 3);
        assertThat(sink.written).hasSize(2);
        assertThat(pipeline.failure()).isEmpty();
    }

    @Test
    void deadLetterPolicyWritesTheEventToTheDeadLetterTopic() {
        ScriptedSource source = new ScriptedSource(2);
        ControlledSink sink = new ControlledSink();
        sink.confirmImmediately = true;
        ChangeHandler failsOnFirst = event -> {
            if (event.after().value("id").equals(0)) {
                throw new IllegalStateException("boom");
            }
            return ONE_RECORD.handle(event);
        };
        pipeline = new Pipeline("t", source, failsOnFirst, sink,
                PipelineSettings.builder().errorPolicy(ErrorPolicy.DEAD_LETTER).deadLetterTopic("dlq").build(), PipelineListener.NONE);
        pipeline.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> source.acknowledged.size() == 2);
        OutRecord deadLetter = sink.written.peek().records().get(0);
        assertThat(deadLetter.topic()).isEqualTo("dlq");
        assertThat(deadLetter.headers()).extracting(h -> h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8))
                .contains("pgcdc.error.class=java.lang.IllegalStateException", "pgcdc.error.message=boom");
    }

    @Test
    void sinkFailureStopsThePipelineAndAcknowledgesNothingAfterIt() throws Exception {
        ScriptedSource source = new ScriptedSource(3);
        ControlledSink sink = new ControlledSink();
        pipeline = new Pipeline("t", source, ONE_RECORD, sink);
        pipeline.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> sink.written.size() == 3);

        sink.confirmNext();
        sink.pending.remove().callback().onFailure(new IllegalStateException("record too large"));

        assertThat(pipeline.awaitTermination(Duration.ofSeconds(60))).isTrue();
        assertThat(pipeline.failure()).get().extracting(Throwable::getMessage).asString().contains("record too large");
        assertThat(source.acknowledged).containsExactly(source.events.get(0).position());
    }

    @Test
    void skipsEventsTheSinkHasAlreadyCommitted() {
        ScriptedSource source = new ScriptedSource(4);
        ControlledSink sink = new ControlledSink();
        sink.confirmImmediately = true;
        Position committed = source.events.get(1).position();
        sink.committed = committed;
        pipeline = new Pipeline("t", source, ONE_RECORD, sink);
        pipeline.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> source.acknowledged.size() == 4);
        assertThat(sink.written).extracting(w -> w.event().position()).containsExactly(
                source.events.get(2).position(), source.events.get(3).position());
    }

    @Test
    void countsTheEventsSkippedAsCommittedAndLogsOnlyWhereSkippingStartsAndEnds() {
        ScriptedSource source = new ScriptedSource(5);
        ControlledSink sink = new ControlledSink();
        sink.confirmImmediately = true;
        sink.committed = source.events.get(2).position();
        List<Position> skipped = new CopyOnWriteArrayList<>();
        PipelineListener listener = new PipelineListener() {
            @Override
            public void onSkippedAsCommitted(ChangeEvent event) {
                skipped.add(event.position());
            }
        };
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(Pipeline.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            pipeline = new Pipeline("t", source, ONE_RECORD, sink, PipelineSettings.defaults(), listener);
            pipeline.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> source.acknowledged.size() == 5);
            pipeline.stop();
        } finally {
            logger.removeHandler(handler);
        }

        assertThat(skipped).containsExactly(source.events.get(0).position(), source.events.get(1).position(), source.events.get(2).position());
        assertThat(sink.written).hasSize(2);
        assertThat(logged).filteredOn(r -> r.getMessage().contains("committed")).extracting(LogRecord::getLevel, LogRecord::getMessage)
                .containsExactly(
                        tuple(Level.INFO, "pipeline t: skipping events the sink has already committed, from 0/3E8#0 up to the committed"
                                + " position 0/3FC#0"),
                        tuple(Level.INFO, "pipeline t: skipped 3 events as already committed, the last at 0/3FC#0 (committed position"
                                + " 0/3FC#0); resuming with 0/406#0"));
    }

    @Test
    void anEmptyResultFiltersTheEventAndAcknowledgesIt() {
        ScriptedSource source = new ScriptedSource(2);
        ControlledSink sink = new ControlledSink();
        pipeline = new Pipeline("t", source, event -> List.of(), sink);
        pipeline.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> source.acknowledged.size() == 2);
        assertThat(sink.written).isEmpty();
    }

    @Test
    void stopClosesHandlerSinkAndSourceAfterDraining() {
        ScriptedSource source = new ScriptedSource(2);
        ControlledSink sink = new ControlledSink();
        sink.confirmImmediately = true;
        pipeline = new Pipeline("t", source, ONE_RECORD, sink);
        pipeline.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> source.acknowledged.size() == 2);

        pipeline.stop();
        assertThat(pipeline.isTerminated()).isTrue();
        assertThat(source.closed).isTrue();
        assertThat(sink.closed).isTrue();
        assertThat(pipeline.failure()).isEmpty();
    }

    @Test
    void anErrorWhileDrainingStillClosesTheSourceAndEndsThePipeline() throws Exception {
        ScriptedSource source = new ScriptedSource(1);
        ControlledSink sink = new ControlledSink();
        sink.confirmImmediately = true;
        sink.flushError = new NoClassDefFoundError("dev/pgcdc/Replaced");
        pipeline = new Pipeline("t", source, ONE_RECORD, sink);
        pipeline.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> source.acknowledged.size() == 1);

        pipeline.stop();
        assertThat(pipeline.isTerminated()).isTrue();
        assertThat(pipeline.failure()).get().isInstanceOf(NoClassDefFoundError.class);
        assertThat(source.closed).isTrue();
        assertThat(sink.closed).isTrue();
    }
}
