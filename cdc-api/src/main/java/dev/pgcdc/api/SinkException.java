package dev.pgcdc.api;

/** A permanent failure of a {@link dev.pgcdc.api.sink.Sink}: the pipeline stops and acknowledges nothing past the last durable record. */
public class SinkException extends CdcException {
    private static final long serialVersionUID = 1L;

    public SinkException(String message) {
        super(message);
    }

    public SinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
