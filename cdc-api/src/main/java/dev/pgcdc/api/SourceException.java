package dev.pgcdc.api;

/** A failure of a {@link dev.pgcdc.api.source.ChangeSource}: connection, replication protocol or decoding. */
public class SourceException extends CdcException {
    private static final long serialVersionUID = 1L;

    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
