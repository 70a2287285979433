package dev.pgcdc.kafka.it;

import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.json.JsonChangeHandler;
import dev.pgcdc.json.JsonHandlerSettings;
import dev.pgcdc.kafka.Workload;
import dev.pgcdc.testkit.source.ScriptedSource;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Runs a pipeline of the test source, a handler and a sink, and waits for what a test expects. */
final class Pipelines {

    private Pipelines() {
    }

    static Pipeline start(String name, ScriptedSource source, ChangeHandler handler, Sink sink, PipelineSettings settings) {
        Pipeline pipeline = new Pipeline(name, source, handler, sink, settings, null);
        pipeline.start();
        return pipeline;
    }

    static Pipeline start(String name, ScriptedSource source, ChangeHandler handler, Sink sink) {
        return start(name, source, handler, sink, PipelineSettings.defaults());
    }

    /** Waits until the source has {@code count} acknowledgements; fails early with the pipeline's failure. */
    static void awaitAcknowledged(Pipeline pipeline, ScriptedSource source, int count, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (pipeline.isTerminated() && pipeline.failure().isPresent()) {
                throw new AssertionError("the pipeline failed after " + source.acknowledgedCount() + " acknowledgements",
                        pipeline.failure().get());
            }
            return source.acknowledgedCount() >= count;
        });
    }

    static void awaitFailure(Pipeline pipeline, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> pipeline.isTerminated() && pipeline.failure().isPresent());
    }

    /** Writes event {@code n} of {@code workload} through the json handler straight to {@code sink}: null when durable, else the failure. */
    static CompletableFuture<Throwable> write(Sink sink, Workload workload, long n) {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        ChangeEvent event = workload.event(n);
        sink.write(event, new JsonChangeHandler(JsonHandlerSettings.defaults()).handle(event), new Sink.WriteCallback() {
            @Override
            public void onDurable() {
                outcome.complete(null);
            }

            @Override
            public void onFailure(Throwable error) {
                outcome.complete(error);
            }
        });
        return outcome;
    }
}
