package dev.pgcdc.snapshot;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.position.StreamOrigin;
import dev.pgcdc.api.snapshot.Snapshotter;
import dev.pgcdc.api.source.ChangeSource;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mode {@code initial}: the snapshot's {@code READ} events, then, once the snapshot job is complete (every
 * chunk done, so every row acknowledged, by every instance), the stream, started only then from the
 * factory given (it resumes at the slot's position, the snapshot's consistent point). Acknowledgements go
 * to the snapshot for positions up to its last event, to the stream after. Positions strictly increase
 * across the switch (snapshot positions lie just below the consistent point, see {@link ChunkedSnapshotter});
 * a stream event at or below the last snapshot position is a {@link SourceException}.
 *
 * <p>Same threading as {@link ChangeSource}: {@link #start}, {@link #poll}, {@link #keepAlive},
 * {@link #isBetweenTransactions} and {@link #close} from the owner's thread, {@link #acknowledge} from any.
 */
public final class SnapshotThenStream implements ChangeSource {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotThenStream.class);

    private final Snapshotter snapshot;
    private final Supplier<ChangeSource> streamFactory;
    /** The stream once started; written by the owner's thread, read by acknowledging threads. */
    private volatile ChangeSource stream;
    /** The position of the last snapshot event handed out, or null; owner's thread writes. */
    private volatile Position lastSnapshotPosition;
    private boolean firstStreamEventChecked;
    private volatile boolean closed;

    public SnapshotThenStream(Snapshotter snapshot, Supplier<ChangeSource> streamFactory) {
        this.snapshot = snapshot;
        this.streamFactory = streamFactory;
    }

    @Override
    public void start() {
        snapshot.start();
        switchIfComplete();
    }

    /** Whether the snapshot is over and events come from the stream. */
    public boolean isStreaming() {
        return stream != null;
    }

    @Override
    public List<ChangeEvent> poll(int maxEvents, Duration timeout) throws InterruptedException {
        ChangeSource current = stream;
        if (current == null) {
            List<ChangeEvent> events = snapshot.poll(maxEvents, timeout);
            if (!events.isEmpty()) {
                lastSnapshotPosition = events.get(events.size() - 1).position();
                return events;
            }
            if (!switchIfComplete()) {
                return events;
            }
            current = stream;
        }
        List<ChangeEvent> events = current.poll(maxEvents, timeout);
        if (!firstStreamEventChecked && !events.isEmpty()) {
            firstStreamEventChecked = true;
            Position last = lastSnapshotPosition;
            Position first = events.get(0).position();
            if (last != null && !first.isAfter(last)) {
                throw new SourceException("the stream's first event (position " + first + ") is not after the snapshot's last (" + last
                        + "); the slot is older than the snapshot's consistent point " + snapshot.consistentPoint());
            }
        }
        return events;
    }

    private boolean switchIfComplete() {
        if (stream != null) {
            return true;
        }
        if (!snapshot.isComplete()) {
            return false;
        }
        LOG.info("snapshot complete; streaming from its consistent point {}", snapshot.consistentPoint());
        ChangeSource created = streamFactory.get();
        created.start();
        stream = created;
        snapshot.close();
        return true;
    }

    @Override
    public void keepAlive() {
        ChangeSource current = stream;
        if (current != null) {
            current.keepAlive();
        }
    }

    @Override
    public boolean isBetweenTransactions() {
        ChangeSource current = stream;
        return current == null || current.isBetweenTransactions();
    }

    @Override
    public Optional<StreamOrigin> origin() {
        ChangeSource current = stream;
        return current != null ? current.origin() : snapshot.origin();
    }

    @Override
    public void acknowledge(Position position) {
        Position last = lastSnapshotPosition;
        ChangeSource current = stream;
        if (current == null || last != null && !position.isAfter(last)) {
            snapshot.acknowledge(position);
        } else {
            current.acknowledge(position);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            snapshot.close();
        } finally {
            ChangeSource current = stream;
            if (current != null) {
                current.close();
            }
        }
    }
}
