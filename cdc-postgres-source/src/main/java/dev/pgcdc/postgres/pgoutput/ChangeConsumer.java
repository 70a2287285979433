package dev.pgcdc.postgres.pgoutput;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Lsn;

/** Where the decoder puts what it decoded, in stream order. */
public interface ChangeConsumer {

    /** A decoded change, with its position. */
    void accept(ChangeEvent event);

    /**
     * Everything up to {@code lsn} has been decoded and passed on: once the events accepted so far
     * are durable, {@code lsn} may be confirmed (a transaction's end LSN, a non-transactional
     * message's LSN, or, while a prepared transaction is unresolved, the LSN of its PREPARE record
     * if that is lower).
     */
    void transactionDone(Lsn lsn);
}
