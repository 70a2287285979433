package dev.pgcdc.kafka;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.position.StreamOrigin;
import java.util.Optional;

/**
 * The value exactly-once mode stores per transactional id in the offsets topic: the last committed
 * position and the origin of the stream it belongs to, {@code 16/B374D848#3;system=7301234567890123456;timeline=1}.
 * Earlier versions stored the position alone ({@code 16/B374D848#3}); that form is still read, with
 * an unknown origin. Fields after the position are {@code name=value}; names this version does not
 * know are ignored, so a later version may add some. The stored origin has no WAL end
 * ({@link Lsn#INVALID}): only the cluster and the timeline are stored.
 *
 * @param position the last committed position
 * @param origin   the cluster and timeline the position belongs to; empty when unknown
 */
record StoredPosition(Position position, Optional<StreamOrigin> origin) {

    private static final String SYSTEM = "system";
    private static final String TIMELINE = "timeline";

    StoredPosition {
        java.util.Objects.requireNonNull(position, "position");
        java.util.Objects.requireNonNull(origin, "origin");
    }

    /** The text written to the offsets topic. */
    String encode() {
        if (origin.isEmpty()) {
            return position.toString();
        }
        StreamOrigin known = origin.get();
        return position + ";" + SYSTEM + "=" + known.systemId() + ";" + TIMELINE + "=" + known.timeline();
    }

    /** Reads {@link #encode()}'s text, or a bare position as earlier versions wrote it. */
    static StoredPosition parse(String text) {
        String[] fields = text.split(";", -1);
        Position position = Position.parse(fields[0].trim());
        String system = null;
        String timeline = null;
        for (int i = 1; i < fields.length; i++) {
            String field = fields[i].trim();
            int equals = field.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("field \"" + field + "\" is not name=value");
            }
            String name = field.substring(0, equals);
            String value = field.substring(equals + 1);
            if (name.equals(SYSTEM)) {
                system = value;
            } else if (name.equals(TIMELINE)) {
                timeline = value;
            }
        }
        if (system == null && timeline == null) {
            return new StoredPosition(position, Optional.empty());
        }
        if (system == null || timeline == null) {
            throw new IllegalArgumentException("it has " + (system == null ? TIMELINE + " but no " + SYSTEM : SYSTEM + " but no " + TIMELINE));
        }
        try {
            return new StoredPosition(position, Optional.of(new StreamOrigin(system, Long.parseLong(timeline), Lsn.INVALID)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(TIMELINE + " \"" + timeline + "\" is not a number", e);
        }
    }
}
