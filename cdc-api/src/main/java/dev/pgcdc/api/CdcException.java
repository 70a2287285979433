package dev.pgcdc.api;

/**
 * Root of every exception pgcdc throws on purpose. Messages are written for the operator: they name
 * the setting, table, LSN or column at fault and, where there is one, what to do about it.
 * Unchecked, because the conditions it reports are not recoverable by the immediate caller.
 */
public class CdcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CdcException(String message) {
        super(message);
    }

    public CdcException(String message, Throwable cause) {
        super(message, cause);
    }
}
