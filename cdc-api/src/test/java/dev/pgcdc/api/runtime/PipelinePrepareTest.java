package dev.pgcdc.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.OutRecord;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Pipeline#prepare()}: the sink started ahead of the source (a passive failover instance), or not, as the sink says. */
class PipelinePrepareTest {

    private static final ChangeHandler ONE_RECORD = event -> List.of(OutRecord.of(null, new byte[] {1}));

    private final ScriptedSource source = new ScriptedSource(3);
    private final ControlledSink sink = new ControlledSink();
    private final Pipeline pipeline = new Pipeline("t", source, ONE_RECORD, sink);

    PipelinePrepareTest() {
        sink.confirmImmediately = true;
    }

    @AfterEach
    void stop() {
        pipeline.stop();
    }

    @Test
    void aSinkThatMayStartBeforeTheSourceStartsAtPrepareAndStartThenStartsOnlyTheSource() throws Exception {
        sink.startsEarly = true;

        assertThat(pipeline.prepare()).as("sink started").isTrue();
        assertThat(sink.starts).hasValue(1);
        assertThat(source.started).as("source started by prepare").isFalse();
        assertThat(pipeline.isTerminated()).isFalse();

        pipeline.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> source.acknowledged.size() == 3);
        assertThat(sink.starts).as("sink starts").hasValue(1);
        assertThat(source.started).isTrue();

        pipeline.stop();
        assertThat(sink.closed).isTrue();
        assertThat(source.closed).isTrue();
    }

    @Test
    void aSinkThatMustWaitForTheSourceIsNotStartedByPrepare() {
        assertThat(pipeline.prepare()).as("sink started").isFalse();
        assertThat(sink.starts).hasValue(0);

        pipeline.start();
        assertThat(sink.starts).hasValue(1);
        assertThat(source.started).isTrue();
    }

    @Test
    void aStopAfterPrepareClosesTheSinkStartedAheadAndLeavesTheSourceAlone() {
        sink.startsEarly = true;
        pipeline.prepare();

        pipeline.stop();

        assertThat(sink.closed).as("sink closed").isTrue();
        assertThat(source.started).isFalse();
        assertThat(source.closed).as("source closed (it was never started)").isFalse();
        assertThat(pipeline.isTerminated()).isTrue();
        assertThat(pipeline.failure()).isEmpty();
        assertThat(pipeline.prepare()).as("prepare after the stop").isFalse();
        assertThat(sink.starts).hasValue(1);
    }

    @Test
    void aStopBeforePrepareMakesPrepareStartNothing() {
        sink.startsEarly = true;
        pipeline.stop();

        assertThat(pipeline.prepare()).isFalse();
        assertThat(sink.starts).hasValue(0);
        assertThat(sink.closed).isFalse();
    }

    @Test
    void aSinkThatFailsToStartAheadIsClosedAndThePipelineEnds() {
        sink.startsEarly = true;
        sink.startError = new SinkException("broker unreachable");

        assertThatThrownBy(pipeline::prepare).isSameAs(sink.startError);

        assertThat(sink.closed).isTrue();
        assertThat(source.started).isFalse();
        assertThat(pipeline.isTerminated()).isTrue();
    }

    @Test
    void prepareAfterStartIsRefused() {
        pipeline.start();

        assertThatThrownBy(pipeline::prepare).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
    }
}
