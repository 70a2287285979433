package dev.pgcdc.api.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Did-you-mean hints, the one algorithm for every misspelt key and choice: the known name closest
 * to a misspelt one by edit distance (case ignored, a swap of neighbours counting as one edit), if it
 * is close enough to be a plausible typo (1 edit up to 4 characters, 2 up to 8, 3 beyond) and
 * shares at least one character with it in place ({@code 2} is no typo of {@code 0}).
 * Package-private: a helper of the settings facility, not part of its API. Stateless and thread-safe.
 */
final class Suggestions {

    private Suggestions() {
    }

    /** The candidate closest to {@code name}, the first found among equally close ones, if one is close enough. */
    static Optional<String> closest(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String lower = name.toLowerCase(Locale.ROOT);
        for (String candidate : candidates) {
            int distance = distance(lower, candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance && distance < Math.min(name.length(), candidate.length())) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best != null && bestDistance <= allowedDistance(name) ? Optional.of(best) : Optional.empty();
    }

    private static int allowedDistance(String name) {
        return name.length() <= 4 ? 1 : name.length() <= 8 ? 2 : 3;
    }

    /** Edit distance where a swap of neighbours counts as one edit (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
