package dev.pgcdc.it.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where each transaction of a topic's final contents first became whole in Kafka: for every commit
 * LSN, the offset per partition below which all of its events (told apart by their stream position,
 * the {@code pgcdc.position} header) had been written at least once. With the end offsets a consumer
 * saw at some moment, it tells the first transaction Kafka lacked then, the position a slot must not
 * be confirmed past: PostgreSQL sends a transaction again after a restart only if its commit LSN is
 * at or after the slot's {@code confirmed_flush_lsn}.
 *
 * <p>The final contents must hold every transaction (a test checks that nothing is lost); records a
 * replay sent again count from their first copy. Immutable.
 */
public final class StoredTransactions {

    // commit LSN -> partition -> (highest first offset of its events) + 1, in commit order
    private final TreeMap<Lsn, Map<Integer, Long>> wholeBelow;

    private StoredTransactions(TreeMap<Lsn, Map<Integer, Long>> wholeBelow) {
        this.wholeBelow = wholeBelow;
    }

    /** Indexes a topic's final contents, every record carrying its position header. */
    public static StoredTransactions of(List<ChangeRecord> finalContents) {
        Map<Position, ChangeRecord> firstCopies = new HashMap<>();
        for (ChangeRecord record : finalContents) {
            firstCopies.merge(record.position(), record, (first, later) -> first.offset() <= later.offset() ? first : later);
        }
        TreeMap<Lsn, Map<Integer, Long>> wholeBelow = new TreeMap<>();
        firstCopies.forEach((position, record) -> wholeBelow.computeIfAbsent(position.commitLsn(), lsn -> new HashMap<>())
                .merge(record.partition(), record.offset() + 1, Math::max));
        return new StoredTransactions(wholeBelow);
    }

    /**
     * Asserts that {@code confirmed}, a slot's {@code confirmed_flush_lsn}, is not past the commit LSN
     * of the first transaction missing below {@code endOffsets}, the end offsets asked for after it was
     * read; with {@code someMissing}, also that a transaction was missing (the scenario left Kafka short).
     */
    public void assertNotConfirmedPastMissing(Lsn confirmed, Map<Integer, Long> endOffsets, boolean someMissing) {
        Optional<Lsn> firstMissing = firstMissingBelow(endOffsets);
        if (someMissing) {
            assertThat(firstMissing).as("a transaction missing below the end offsets %s", endOffsets).isPresent();
        }
        firstMissing.ifPresent(missing -> assertThat(confirmed).as("the slot's confirmed_flush_lsn against the commit LSN of the first"
                + " transaction missing below the end offsets %s", endOffsets).isLessThanOrEqualTo(missing));
    }

    /** How many transactions the contents hold. */
    public int transactions() {
        return wholeBelow.size();
    }

    /**
     * The commit LSN of the first transaction not wholly below {@code endOffsets} (partition -> end
     * offset), empty when every transaction is.
     */
    public Optional<Lsn> firstMissingBelow(Map<Integer, Long> endOffsets) {
        for (Map.Entry<Lsn, Map<Integer, Long>> transaction : wholeBelow.entrySet()) {
            boolean whole = transaction.getValue().entrySet().stream()
                    .allMatch(needed -> needed.getValue() <= endOffsets.getOrDefault(needed.getKey(), 0L));
            if (!whole) {
                return Optional.of(transaction.getKey());
            }
        }
        return Optional.empty();
    }
}
