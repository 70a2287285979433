package dev.pgcdc.metrics;

import dev.pgcdc.api.plugin.MeterRegistrar;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleSupplier;

/**
 * The {@link MeterRegistrar} that plugins (sources, handlers, sinks) receive in their
 * {@code PluginContext}: each gauge or counter they register becomes a Micrometer meter of the
 * service's registry, so it is served on {@code /metrics} with the {@code slot_name} and {@code host}
 * labels like pgcdc's own. The functions are held strongly: a plugin need not keep a reference.
 *
 * <p>Thread-safe (Micrometer's registry is).
 */
public final class PluginMeters implements MeterRegistrar {

    private final MeterRegistry registry;
    /** Micrometer holds a function counter's object weakly: the suppliers live as long as this. */
    private final List<DoubleSupplier> counted = new CopyOnWriteArrayList<>();

    public PluginMeters(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void gauge(String name, String description, Map<String, String> tags, DoubleSupplier value) {
        Objects.requireNonNull(value, "value");
        Gauge.builder(name, value::getAsDouble).description(description).tags(tags(tags)).strongReference(true).register(registry);
    }

    @Override
    public void counter(String name, String description, Map<String, String> tags, DoubleSupplier total) {
        Objects.requireNonNull(total, "total");
        counted.add(total);
        FunctionCounter.builder(name, total, DoubleSupplier::getAsDouble).description(description).tags(tags(tags)).register(registry);
    }

    private static List<Tag> tags(Map<String, String> tags) {
        List<Tag> list = new ArrayList<>();
        tags.forEach((key, value) -> list.add(Tag.of(key, value)));
        return list;
    }
}
