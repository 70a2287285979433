package dev.pgcdc.coordination.snapshot;

import dev.pgcdc.api.CdcException;

/**
 * The coordination store could not do what was asked: the database refused (a missing privilege, a
 * lost connection) or the request contradicts the stored job (a plan saved by an instance that is no
 * longer the planner). The message names the schema, the table or job, and what to do.
 */
public class ClaimStoreException extends CdcException {
    private static final long serialVersionUID = 1L;

    public ClaimStoreException(String message) {
        super(message);
    }

    public ClaimStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
