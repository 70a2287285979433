package dev.pgcdc.api.plugin;

import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * How a plugin registers meters with the host without depending on a metrics library: a gauge
 * reads a current value, a counter reads a total that only grows. The host samples each function
 * when it is scraped (cdc-app: on the Prometheus registry of cdc-metrics, with the service's
 * {@code slot_name} and {@code host} labels added), so a plugin keeps its figures in its own fields
 * (an {@code AtomicLong}, a {@code LongAdder}) and registers a read of them once, in {@code create}.
 *
 * <p>Names are dotted and lower case ({@code pgcdc.kafka.batches}); the Prometheus registry writes
 * them with underscores and a counter with the suffix {@code _total}. Registering a name and tags
 * that are already registered keeps the first function. Thread-safe; the functions are called on the
 * scraping thread and must be thread-safe and cheap.
 */
public interface MeterRegistrar {

    /** Registers nothing: for plugins made outside a service (tests, embedding without metrics). */
    MeterRegistrar NONE = new MeterRegistrar() {
        @Override
        public void gauge(String name, String description, Map<String, String> tags, DoubleSupplier value) {
        }

        @Override
        public void counter(String name, String description, Map<String, String> tags, DoubleSupplier total) {
        }
    };

    /**
     * A gauge: {@code value} is read at every scrape.
     *
     * @param tags labels of this meter besides the host's own (may be empty)
     */
    void gauge(String name, String description, Map<String, String> tags, DoubleSupplier value);

    /**
     * A counter whose total {@code total} reads; it must never decrease.
     *
     * @param tags labels of this meter besides the host's own (may be empty)
     */
    void counter(String name, String description, Map<String, String> tags, DoubleSupplier total);

    /** A gauge without labels of its own. */
    default void gauge(String name, String description, DoubleSupplier value) {
        gauge(name, description, Map.of(), value);
    }

    /** A counter without labels of its own. */
    default void counter(String name, String description, DoubleSupplier total) {
        counter(name, description, Map.of(), total);
    }
}
