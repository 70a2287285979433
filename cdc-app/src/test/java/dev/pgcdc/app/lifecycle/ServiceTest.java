package dev.pgcdc.app.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.pipeline.PipelineListener;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.metrics.MetricLabels;
import dev.pgcdc.metrics.ServiceMeters;
import dev.pgcdc.metrics.http.HttpSettings;
import dev.pgcdc.metrics.http.StatusServer;
import dev.pgcdc.metrics.slot.SlotFigures;
import dev.pgcdc.metrics.slot.SlotMonitor;
import dev.pgcdc.metrics.status.Phase;
import dev.pgcdc.metrics.status.ServiceState;
import dev.pgcdc.testkit.source.ScriptedSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The service's lifecycle around the slot gate: passive until the slot is held, a stop while passive or right after winning. */
class ServiceTest {

    private final ServiceMeters meters = new ServiceMeters(new MetricLabels("slot", "db"));
    private final ServiceState state = new ServiceState();
    private final SlotMonitor monitor = new SlotMonitor(() -> SlotFigures.missing("slot", Lsn.INVALID, Instant.EPOCH), Duration.ofMinutes(1),
            meters.registry());
    private final StatusServer http = new StatusServer(new HttpSettings("127.0.0.1", 0), meters, monitor, state, "slot");
    private final ScriptedSource source = new ScriptedSource(0, n -> {
        throw new AssertionError("no events");
    });
    private final AtomicInteger sinkStarts = new AtomicInteger();
    private final AtomicInteger sinkCloses = new AtomicInteger();
    /** What the sink says to {@link Sink#startsBeforeTheSource()}: at-least-once Kafka true, exactly-once false. */
    private final AtomicBoolean sinkStartsEarly = new AtomicBoolean();
    private final Sink sink = new Sink() {
        @Override
        public boolean startsBeforeTheSource() {
            return sinkStartsEarly.get();
        }

        @Override
        public void start() {
            assertThat(source.isStarted()).as("source started before the sink").isFalse();
            sinkStarts.incrementAndGet();
        }

        @Override
        public void write(ChangeEvent event, List<OutRecord> records, WriteCallback callback) {
            callback.onDurable();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            sinkCloses.incrementAndGet();
        }
    };
    private final Pipeline pipeline = new Pipeline("slot", source, event -> List.of(), sink, PipelineSettings.defaults(), PipelineListener.NONE);
    private final FakeGate gate = new FakeGate();
    private final Service service = new Service("slot", state, meters, monitor, http, pipeline, gate);

    @AfterEach
    void stop() {
        service.stop();
    }

    @Test
    void aStopWhilePassiveEndsTheWaitAtOnceWithoutStartingThePipeline() throws Exception {
        CompletableFuture<Void> starting = startInBackground();
        assertThat(gate.waiting.await(10, TimeUnit.SECONDS)).as("waiting at the gate").isTrue();
        assertThat(service.httpPort()).as("HTTP up while passive").isPositive();

        long before = System.nanoTime();
        service.stop();

        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
        assertThat(starting).succeedsWithin(Duration.ofSeconds(5));
        assertThat(service.awaitTermination(Duration.ofSeconds(5))).isTrue();
        assertThat(service.failure()).isEmpty();
        assertThat(sinkStarts).hasValue(0);
        assertThat(source.isStarted()).isFalse();
        assertThat(state.phase()).isEqualTo(Phase.STOPPED);
        assertThat(gate.releases).hasValue(0);
    }

    @Test
    void theSlotHeldStartsThePipelineAndAStopReleasesIt() throws Exception {
        gate.grant.set(true);
        service.start();

        assertThat(sinkStarts).hasValue(1);
        assertThat(source.isStarted()).isTrue();
        assertThat(state.phase()).isEqualTo(Phase.STREAMING);

        service.stop();
        assertThat(source.isClosed()).isTrue();
        assertThat(gate.released).hasValue(1);
        assertThat(state.phase()).isEqualTo(Phase.STOPPED);
    }

    @Test
    void aSinkThatMayStartBeforeTheSourceStartsWhilePassiveSoThatWinningTheSlotStartsOnlyTheSource() throws Exception {
        sinkStartsEarly.set(true);
        CompletableFuture<Void> starting = startInBackground();
        assertThat(gate.waiting.await(10, TimeUnit.SECONDS)).as("waiting at the gate").isTrue();
        assertThat(gate.sinkStartsAtTheGate).as("sink starts when the wait for the slot began").hasValue(1);
        assertThat(source.isStarted()).as("source started while passive").isFalse();

        gate.winOnCancel.set(true);
        gate.cancelled.countDown(); // the slot is won (without a stop)

        assertThat(starting).succeedsWithin(Duration.ofSeconds(5));
        assertThat(sinkStarts).as("sink starts").hasValue(1);
        assertThat(source.isStarted()).isTrue();
        assertThat(state.phase()).isEqualTo(Phase.STREAMING);
        service.stop();
        assertThat(sinkCloses).as("sink closes").hasValue(1);
        assertThat(source.isClosed()).isTrue();
    }

    @Test
    void aSinkStartedWhilePassiveIsClosedByAStopWhilePassive() throws Exception {
        sinkStartsEarly.set(true);
        CompletableFuture<Void> starting = startInBackground();
        assertThat(gate.waiting.await(10, TimeUnit.SECONDS)).as("waiting at the gate").isTrue();

        service.stop();

        assertThat(starting).succeedsWithin(Duration.ofSeconds(5));
        assertThat(sinkStarts).hasValue(1);
        assertThat(sinkCloses).as("sink closes").hasValue(1);
        assertThat(source.isStarted()).isFalse();
        assertThat(service.failure()).isEmpty();
        assertThat(service.awaitTermination(Duration.ofSeconds(5))).isTrue();
        assertThat(state.phase()).isEqualTo(Phase.STOPPED);
    }

    @Test
    void aSinkThatMustNotStartBeforeTheSourceStartsOnlyOnceTheSlotIsHeld() throws Exception {
        CompletableFuture<Void> starting = startInBackground();
        assertThat(gate.waiting.await(10, TimeUnit.SECONDS)).as("waiting at the gate").isTrue();
        assertThat(gate.sinkStartsAtTheGate).as("sink starts when the wait for the slot began").hasValue(0);

        gate.winOnCancel.set(true);
        gate.cancelled.countDown();

        assertThat(starting).succeedsWithin(Duration.ofSeconds(5));
        assertThat(sinkStarts).hasValue(1);
        assertThat(source.isStarted()).isTrue();
    }

    @Test
    void aStopThatComesAsTheSlotIsWonLetsTheSlotGoWithoutStartingThePipeline() throws Exception {
        CompletableFuture<Void> starting = startInBackground();
        assertThat(gate.waiting.await(10, TimeUnit.SECONDS)).isTrue();
        gate.winOnCancel.set(true); // the race: the slot is won just as the stop comes

        service.stop();

        assertThat(starting).succeedsWithin(Duration.ofSeconds(5));
        assertThat(gate.releases).hasValue(1);
        assertThat(sinkStarts).hasValue(0);
    }

    private CompletableFuture<Void> startInBackground() {
        return CompletableFuture.runAsync(() -> {
            try {
                service.start();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A gate that grants at once, or waits until cancelled (and then reports the slot won or not). */
    private final class FakeGate implements SlotGate {
        final AtomicInteger sinkStartsAtTheGate = new AtomicInteger(-1);
        final AtomicBoolean grant = new AtomicBoolean();
        final AtomicBoolean winOnCancel = new AtomicBoolean();
        final CountDownLatch waiting = new CountDownLatch(1);
        final CountDownLatch cancelled = new CountDownLatch(1);
        final AtomicInteger releases = new AtomicInteger();
        final AtomicInteger released = new AtomicInteger();

        @Override
        public boolean awaitSlot() throws InterruptedException {
            sinkStartsAtTheGate.set(sinkStarts.get());
            if (grant.get()) {
                return true;
            }
            waiting.countDown();
            cancelled.await();
            return winOnCancel.get();
        }

        @Override
        public void cancel() {
            cancelled.countDown();
        }

        @Override
        public void release() {
            releases.incrementAndGet();
        }

        @Override
        public void released() {
            released.incrementAndGet();
        }
    }
}
