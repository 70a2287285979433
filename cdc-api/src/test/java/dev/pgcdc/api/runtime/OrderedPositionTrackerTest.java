package dev.pgcdc.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OrderedPositionTrackerTest {

    private static Position pos(long lsn, long seq) {
        return new Position(Lsn.of(lsn), seq);
    }

    @Test
    void confirmsTransactionEndOnlyWhenAllItsEventsAreAcknowledged() {
        OrderedPositionTracker tracker = new OrderedPositionTracker();
        tracker.register(pos(100, 0));
        tracker.register(pos(100, 1));
        tracker.checkpoint(Lsn.of(120));
        tracker.register(pos(200, 0));
        tracker.checkpoint(Lsn.of(220));

        tracker.acknowledge(pos(100, 1));
        tracker.acknowledge(pos(200, 0));
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.INVALID);
        assertThat(tracker.inFlight()).isEqualTo(3);

        tracker.acknowledge(pos(100, 0));
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.of(220));
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void doesNotConfirmInsideAnUnfinishedTransaction() {
        OrderedPositionTracker tracker = new OrderedPositionTracker(Lsn.of(50));
        tracker.register(pos(100, 0));
        tracker.register(pos(100, 1));
        tracker.acknowledge(pos(100, 0));
        tracker.acknowledge(pos(100, 1));
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.of(50));
        tracker.checkpoint(Lsn.of(130));
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.of(130));
    }

    @Test
    void checkpointWithNothingInFlightConfirmsAtOnceAndNeverGoesBack() {
        OrderedPositionTracker tracker = new OrderedPositionTracker();
        tracker.checkpoint(Lsn.of(500));
        tracker.checkpoint(Lsn.of(400));
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.of(500));
    }

    @Test
    void rejectsPositionsOutOfOrder() {
        OrderedPositionTracker tracker = new OrderedPositionTracker();
        tracker.register(pos(100, 1));
        assertThatThrownBy(() -> tracker.register(pos(100, 1))).hasMessageContaining("must strictly increase");
        assertThatThrownBy(() -> tracker.register(pos(99, 7))).hasMessageContaining("must strictly increase");
    }

    @Test
    void ignoresDuplicateAndUnknownAcknowledgements() {
        OrderedPositionTracker tracker = new OrderedPositionTracker();
        tracker.register(pos(100, 0));
        tracker.checkpoint(Lsn.of(110));
        tracker.acknowledge(pos(100, 0));
        tracker.acknowledge(pos(100, 0));
        tracker.acknowledge(pos(7, 7));
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.of(110));
    }

    @Test
    void growsPastItsInitialCapacityAndHandlesRandomAcknowledgementOrder() {
        OrderedPositionTracker tracker = new OrderedPositionTracker();
        List<Position> positions = new ArrayList<>();
        for (int tx = 1; tx <= 500; tx++) {
            for (int seq = 0; seq < 10; seq++) {
                Position p = pos(tx * 1000L, seq);
                tracker.register(p);
                positions.add(p);
            }
            tracker.checkpoint(Lsn.of(tx * 1000L + 10));
        }
        Collections.shuffle(positions, new Random(7));
        Lsn previous = Lsn.INVALID;
        for (Position p : positions) {
            tracker.acknowledge(p);
            Lsn confirmed = tracker.confirmedLsn();
            assertThat(confirmed).isGreaterThanOrEqualTo(previous);
            previous = confirmed;
        }
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.of(500_010));
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void resetForgetsInFlightButKeepsConfirmed() {
        OrderedPositionTracker tracker = new OrderedPositionTracker();
        tracker.checkpoint(Lsn.of(10));
        tracker.register(pos(100, 0));
        tracker.reset();
        assertThat(tracker.inFlight()).isZero();
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.of(10));
        tracker.register(pos(50, 0));
        assertThat(tracker.inFlight()).isEqualTo(1);
    }

    @Test
    void acknowledgedEventsBehindASlowHeadDoNotGrowTheTracker() {
        OrderedPositionTracker tracker = new OrderedPositionTracker();
        tracker.register(pos(1, 0)); // the slow head: never acknowledged while the rest streams by
        tracker.checkpoint(Lsn.of(2));
        for (long tx = 1; tx <= 1000; tx++) {
            // one poll's worth registered before any of it is acknowledged, as the source hands out batches
            for (int seq = 0; seq < 1000; seq++) {
                tracker.register(pos(tx * 10_000, seq));
            }
            tracker.checkpoint(Lsn.of(tx * 10_000 + 1));
            for (int seq = 0; seq < 1000; seq++) {
                tracker.acknowledge(pos(tx * 10_000, seq));
            }
        }

        assertThat(tracker.capacity()).as("entries allocated for 1M acknowledged events behind one slow head").isLessThanOrEqualTo(8192);
        assertThat(tracker.inFlight()).isEqualTo(1_000_001);
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.INVALID);

        tracker.acknowledge(pos(1, 0));
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.of(10_000_001));
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void keepsOrderAndCheckpointsAcrossCoalescedRuns() {
        OrderedPositionTracker tracker = new OrderedPositionTracker();
        List<Position> slow = new ArrayList<>();
        for (int tx = 1; tx <= 5000; tx++) {
            Position p = pos(tx * 10L, 0);
            tracker.register(p);
            tracker.checkpoint(Lsn.of(tx * 10L + 5));
            if (tx % 1000 == 1) {
                slow.add(p); // every thousandth transaction stays unacknowledged for a while
            } else {
                tracker.acknowledge(p);
            }
        }
        assertThat(tracker.capacity()).isLessThanOrEqualTo(2048);

        tracker.acknowledge(slow.get(0));
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.of(10_005));
        tracker.acknowledge(slow.get(2));
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.of(10_005));
        tracker.acknowledge(pos(20_020, 0)); // a duplicate of a coalesced acknowledgement changes nothing
        tracker.acknowledge(slow.get(1));
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.of(30_005));
        tracker.acknowledge(slow.get(4));
        tracker.acknowledge(slow.get(3));
        assertThat(tracker.confirmedLsn()).isEqualTo(Lsn.of(50_005));
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void confirmsWhatASimpleModelConfirmsUnderRandomAcknowledgementWithCoalescing() {
        Random random = new Random(11);
        OrderedPositionTracker tracker = new OrderedPositionTracker();
        List<Position> registered = new ArrayList<>();
        List<Long> checkpoints = new ArrayList<>(); // per registered position: the checkpoint after it, 0 if none
        List<Boolean> acked = new ArrayList<>();
        List<Integer> open = new ArrayList<>();
        int prefix = 0; // registered positions acknowledged in order from the start
        long expected = 0;
        long lsn = 100;
        for (int step = 0; step < 200_000; step++) {
            if (open.size() < 3000 && random.nextInt(3) > 0) {
                lsn += 10;
                int events = 1 + random.nextInt(5);
                for (int seq = 0; seq < events; seq++) {
                    Position p = pos(lsn, seq);
                    tracker.register(p);
                    open.add(registered.size());
                    registered.add(p);
                    checkpoints.add(0L);
                    acked.add(false);
                }
                tracker.checkpoint(Lsn.of(lsn + 5));
                checkpoints.set(registered.size() - 1, lsn + 5);
            } else if (!open.isEmpty()) {
                // mostly recent ones, sometimes an old one: a slow head with a fast tail
                int pick = random.nextInt(10) == 0 ? random.nextInt(open.size()) : open.size() - 1 - random.nextInt(Math.min(open.size(), 20));
                int index = open.remove(pick);
                acked.set(index, true);
                tracker.acknowledge(registered.get(index));
            }
            while (prefix < registered.size() && acked.get(prefix)) {
                expected = Math.max(expected, checkpoints.get(prefix++));
            }
            if (tracker.confirmedLsn().value() != expected || tracker.inFlight() != registered.size() - prefix) {
                throw new AssertionError("step " + step + ": confirmed " + tracker.confirmedLsn() + " in flight " + tracker.inFlight()
                        + ", expected " + Lsn.of(expected) + " and " + (registered.size() - prefix));
            }
        }
        assertThat(tracker.capacity()).isLessThanOrEqualTo(16_384);
    }
}
