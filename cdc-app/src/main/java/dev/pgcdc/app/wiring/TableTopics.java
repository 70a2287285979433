package dev.pgcdc.app.wiring;

import dev.pgcdc.api.event.TableId;

/** The topic a table's records go to, for the {@code topic_name} label of the metrics; null when the sink maps none. */
@FunctionalInterface
public interface TableTopics {

    String topicOf(TableId table);
}
