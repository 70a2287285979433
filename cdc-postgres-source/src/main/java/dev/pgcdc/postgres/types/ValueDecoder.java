package dev.pgcdc.postgres.types;

/**
 * Turns the text form of one PostgreSQL value (UTF-8 bytes, as pgoutput sends it) into its Java
 * value. Stateless and thread-safe. Throws an unchecked exception (typically
 * {@link IllegalArgumentException} or {@link java.time.DateTimeException}) when the text is not a
 * value of its type; the caller adds LSN, relation and column.
 */
@FunctionalInterface
public interface ValueDecoder {

    Object decode(byte[] bytes, int offset, int length);
}
