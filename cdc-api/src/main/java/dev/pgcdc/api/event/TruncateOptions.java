package dev.pgcdc.api.event;

/**
 * The options of a {@link Operation#TRUNCATE}.
 *
 * @param cascade         {@code TRUNCATE ... CASCADE}
 * @param restartIdentity {@code TRUNCATE ... RESTART IDENTITY}
 */
public record TruncateOptions(boolean cascade, boolean restartIdentity) {

    /** Plain {@code TRUNCATE}. */
    public static final TruncateOptions NONE = new TruncateOptions(false, false);
}
