package dev.pgcdc.api.position;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
