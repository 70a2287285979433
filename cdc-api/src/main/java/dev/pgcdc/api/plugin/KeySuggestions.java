package dev.pgcdc.api.plugin;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Did-you-mean hints for configuration keys: the known key closest to a misspelt one by edit
 * distance (case ignored), if it is close enough to be a plausible typo. Shared by the adapters'
 * settings readers. Stateless and thread-safe.
 */
public final class KeySuggestions {

    private KeySuggestions() {
    }

    /** The candidate within {@code max(2, key.length() / 3)} edits of {@code key}, the closest first found. */
    public static Optional<String> closest(String key, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String lower = key.toLowerCase(Locale.ROOT);
        for (String candidate : candidates) {
            int distance = distance(lower, candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                bestDistance = distance;
                best = candidate;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 3) ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance; keys are short. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
