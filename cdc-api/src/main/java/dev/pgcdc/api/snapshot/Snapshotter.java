package dev.pgcdc.api.snapshot;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.source.ChangeSource;

/**
 * A finite {@link ChangeSource} of {@link dev.pgcdc.api.event.Operation#READ} events: the rows of the
 * captured tables as of one consistent snapshot. Acknowledgements complete its chunks. Once
 * {@link #isComplete()} the stream continues from {@link #consistentPoint()}, with no gap and no
 * duplicate. Same threading contract as {@link ChangeSource}.
 *
 * <p>Positions: a snapshot's events lie below every event of the stream that follows it, so that
 * positions strictly increase across the switch; the chunked implementation uses
 * {@code (consistentPoint - 1, n)}, because the first streamed transaction may commit exactly at the
 * consistent point.
 */
public interface Snapshotter extends ChangeSource {

    /** Whether every row has been emitted and acknowledged. */
    boolean isComplete();

    /** The LSN the snapshot is consistent with: streaming starts here. */
    Lsn consistentPoint();
}
