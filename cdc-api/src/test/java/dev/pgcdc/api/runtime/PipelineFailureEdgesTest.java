package dev.pgcdc.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.source.ChangeSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Failure and lifecycle edges of the pipeline found while testing it end to end with the Kafka sink. */
class PipelineFailureEdgesTest {

    private static final TableId USERS = new TableId("public", "users");

    private final ListSource source = new ListSource(5);
    private final HoldingSink sink = new HoldingSink();
    private final List<Position> handled = new CopyOnWriteArrayList<>();
    private Pipeline pipeline;

    @AfterEach
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.stop();
        }
    }

    @Test
    void handlesNothingMoreOnceTheSinkFailedWhileItWaitedForCapacity() throws Exception {
        pipeline = new Pipeline("test", source, handler(), sink, PipelineSettings.builder().maxInFlightEvents(1).build(), null);
        pipeline.start();

        Write first = sink.next();
        first.callback.onFailure(new CdcException("broker gone"));

        assertThat(pipeline.awaitTermination(Duration.ofSeconds(60))).isTrue();
        assertThat(pipeline.failure()).get().extracting(Throwable::getMessage).isEqualTo("broker gone");
        assertThat(handled).containsExactly(position(1));
        assertThat(source.acknowledged).isEmpty();
        assertThat(source.closed).isTrue();
    }

    @Test
    void anAcknowledgementThatThrowsOnTheSinksThreadFailsThePipelineAndReleasesItsInFlightCount() throws Exception {
        source.failAcknowledgement = true;
        pipeline = new Pipeline("test", source, handler(), sink, PipelineSettings.defaults(), null);
        pipeline.start();
        Write first = sink.next();

        first.callback.onDurable(); // on the sink's thread in real life: must not throw there

        assertThat(pipeline.awaitTermination(Duration.ofSeconds(60))).isTrue();
        assertThat(pipeline.failure()).get().extracting(Throwable::getMessage).asString()
                .contains("acknowledging INSERT on public.users at " + position(1)).contains("tracker broken");
        assertThat(pipeline.inFlightEvents()).as("the writes after the first are still held by the sink; the first is released")
                .isEqualTo(sink.written.size() - 1);
        assertThat(source.closed).isTrue();
    }

    @Test
    void keepsTheFirstFailure() throws Exception {
        pipeline = new Pipeline("test", source, handler(), sink, PipelineSettings.defaults(), null);
        pipeline.start();
        Write first = sink.next();
        Write second = sink.next();

        second.callback.onFailure(new CdcException("second"));
        first.callback.onFailure(new CdcException("first"));

        assertThat(pipeline.awaitTermination(Duration.ofSeconds(60))).isTrue();
        assertThat(pipeline.failure()).get().extracting(Throwable::getMessage).isEqualTo("second");
    }

    @Test
    void stopBeforeStartReturnsAtOnceAndTheStoppedPipelineCannotStart() {
        Pipeline unstarted = new Pipeline("test", source, handler(), sink);
        long started = System.nanoTime();

        unstarted.stop();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(unstarted.isTerminated()).isTrue();
        assertThatThrownBy(unstarted::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("was stopped");
    }

    private ChangeHandler handler() {
        return event -> {
            handled.add(event.position());
            return List.of(OutRecord.of(null, event.position().toString().getBytes(StandardCharsets.UTF_8)));
        };
    }

    private static Position position(long n) {
        return new Position(Lsn.of(n * 16), 0);
    }

    /** Emits events 1..count in one poll, then nothing; records acknowledgements. */
    private static final class ListSource implements ChangeSource {
        final List<Position> acknowledged = new CopyOnWriteArrayList<>();
        final int count;
        volatile boolean polled;
        volatile boolean closed;
        volatile boolean failAcknowledgement;

        ListSource(int count) {
            this.count = count;
        }

        @Override
        public void start() {
        }

        @Override
        public List<ChangeEvent> poll(int maxEvents, Duration timeout) throws InterruptedException {
            if (polled) {
                Thread.sleep(5);
                return List.of();
            }
            polled = true;
            List<ChangeEvent> events = new ArrayList<>();
            for (int n = 1; n <= count; n++) {
                events.add(ChangeEvent.builder(Operation.INSERT).table(USERS).after(Row.of(Map.of("id", n)))
                        .commitLsn(Lsn.of(n * 16)).position(position(n)).build());
            }
            return events;
        }

        @Override
        public void acknowledge(Position position) {
            if (failAcknowledgement) {
                throw new IllegalStateException("tracker broken");
            }
            acknowledged.add(position);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private record Write(ChangeEvent event, List<OutRecord> records, Sink.WriteCallback callback) {
    }

    /** Keeps each write until the test completes its callback. */
    private static final class HoldingSink implements Sink {
        final BlockingQueue<Write> writes = new LinkedBlockingQueue<>();
        final List<Position> written = new CopyOnWriteArrayList<>();
        volatile Position committed;

        @Override
        public void start() {
        }

        @Override
        public void write(ChangeEvent event, List<OutRecord> records, WriteCallback callback) {
            written.add(event.position());
            writes.add(new Write(event, records, callback));
        }

        Write next() throws InterruptedException {
            Write write = writes.poll(10, TimeUnit.SECONDS);
            if (write == null) {
                throw new AssertionError("no write within 10 s");
            }
            return write;
        }

        @Override
        public void flush() {
        }

        @Override
        public Optional<Position> committedPosition() {
            return Optional.ofNullable(committed);
        }

        @Override
        public void close() {
        }
    }
}
