package dev.pgcdc.api.pipeline;

/** What the pipeline does when the handler throws on an event. */
public enum ErrorPolicy {
    /** Stop without acknowledging the event; a restart resumes from it. The default. */
    FAIL,
    /** Log and count the error, acknowledge the event, go on. */
    SKIP,
    /** Write the event with the error to the dead-letter topic, then go on once that is durable. */
    DEAD_LETTER;

    /** Parses {@code fail}, {@code skip} or {@code dead-letter}; null when the text is none of them. */
    public static ErrorPolicy fromConfigName(String name) {
        return switch (name) {
            case "fail" -> FAIL;
            case "skip" -> SKIP;
            case "dead-letter" -> DEAD_LETTER;
            default -> null;
        };
    }
}
