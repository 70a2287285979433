package dev.pgcdc.postgres.pgoutput;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Lsn;
import java.util.ArrayList;
import java.util.List;

/** Keeps what the decoder emits: events, and transaction ends as {@link Lsn}s, in order. */
final class CollectingConsumer implements ChangeConsumer {

    final List<Object> items = new ArrayList<>();

    @Override
    public void accept(ChangeEvent event) {
        items.add(event);
    }

    @Override
    public void transactionDone(Lsn lsn) {
        items.add(lsn);
    }

    List<ChangeEvent> events() {
        List<ChangeEvent> events = new ArrayList<>();
        for (Object item : items) {
            if (item instanceof ChangeEvent event) {
                events.add(event);
            }
        }
        return events;
    }

    List<Lsn> transactionEnds() {
        List<Lsn> ends = new ArrayList<>();
        for (Object item : items) {
            if (item instanceof Lsn lsn) {
                ends.add(lsn);
            }
        }
        return ends;
    }
}
