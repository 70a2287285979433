package dev.pgcdc.postgres.pgoutput;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import java.time.Instant;

/** The transaction whose changes are being decoded: its id, commit LSN and time, and the next event sequence. */
final class TransactionContext {

    final long xid;
    final Lsn commitLsn;
    final Instant commitTime;
    private long nextSequence;

    TransactionContext(long xid, Lsn commitLsn, Instant commitTime) {
        this.xid = xid;
        this.commitLsn = commitLsn;
        this.commitTime = commitTime;
    }

    /** The position of the next emitted event: (commit LSN, 0-based index among the emitted events of the transaction). */
    Position nextPosition() {
        return new Position(commitLsn, nextSequence++);
    }
}
