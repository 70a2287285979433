package dev.pgcdc.api;

/** A {@link dev.pgcdc.api.handler.ChangeHandler} failed on an event; the pipeline's error policy decides what follows. */
public class HandlerException extends CdcException {
    private static final long serialVersionUID = 1L;

    public HandlerException(String message, Throwable cause) {
        super(message, cause);
    }
}
