package dev.pgcdc.kafka.spi;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.sink.SinkProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A tiny alternative sink found by ServiceLoader: keeps records in memory and reports each write durable at once. */
public final class MemorySinkProvider implements SinkProvider {

    /** What every memory sink of this JVM received, in order. */
    public static final List<OutRecord> RECEIVED = Collections.synchronizedList(new ArrayList<>());

    @Override
    public String name() {
        return "test-memory";
    }

    @Override
    public Sink create(PluginConfig config) {
        return new Sink() {
            @Override
            public void start() {
            }

            @Override
            public void write(ChangeEvent event, List<OutRecord> records, WriteCallback callback) {
                RECEIVED.addAll(records);
                callback.onDurable();
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }
}
