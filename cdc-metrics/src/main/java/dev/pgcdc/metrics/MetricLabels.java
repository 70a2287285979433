package dev.pgcdc.metrics;

import java.util.Objects;

/**
 * The labels every pgcdc meter carries, as go-pq-cdc names them: the replication slot and the
 * PostgreSQL host it is read from. Meters of one topic add {@code topic_name}.
 *
 * @param slotName the replication slot, e.g. {@code orders_slot}
 * @param host     the PostgreSQL host the slot lives on
 */
public record MetricLabels(String slotName, String host) {

    /** Label key of the slot. */
    public static final String SLOT_NAME = "slot_name";
    /** Label key of the PostgreSQL host. */
    public static final String HOST = "host";
    /** Label key of a Kafka topic. */
    public static final String TOPIC_NAME = "topic_name";

    public MetricLabels {
        Objects.requireNonNull(slotName, "slotName");
        Objects.requireNonNull(host, "host");
    }
}
