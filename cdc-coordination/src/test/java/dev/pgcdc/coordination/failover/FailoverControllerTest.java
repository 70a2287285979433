package dev.pgcdc.coordination.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.CdcException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The passive/active decisions of {@link FailoverController}, against scripted slot readings. */
class FailoverControllerTest {

    private static final Duration INTERVAL = Duration.ofMillis(5);

    private final List<String> roles = new ArrayList<>();
    private final FailoverController.RoleListener listener = new FailoverController.RoleListener() {
        @Override
        public void passive(SlotHolder holder) {
            roles.add("passive " + holder.pid());
        }

        @Override
        public void active(Optional<Duration> takeover) {
            roles.add(takeover.isPresent() ? "active after takeover" : "active");
        }
    };

    @Test
    void aFreeSlotIsClaimedAtOnceWithoutATakeover() throws InterruptedException {
        Script script = new Script(SlotHolder.free(false));
        FailoverController controller = controller(script, () -> true);

        assertThat(controller.awaitSlot()).isTrue();
        assertThat(roles).containsExactly("active");
    }

    @Test
    void staysPassiveWhileHeldAnnouncesEachHolderOnceAndTakesOverWhenFree() throws InterruptedException {
        Script script = new Script(held(100), held(100), held(100), held(200), held(200), SlotHolder.free(true));
        AtomicInteger claims = new AtomicInteger();
        FailoverController controller = controller(script, () -> claims.incrementAndGet() > 0);

        assertThat(controller.awaitSlot()).isTrue();
        assertThat(roles).containsExactly("passive 100", "passive 200", "active after takeover");
        assertThat(claims).hasValue(1);
    }

    @Test
    void theLoserOfTheRaceStaysPassiveAndTriesAgainWhenTheSlotIsFreeAgain() throws InterruptedException {
        Script script = new Script(SlotHolder.free(true), held(300), held(300), SlotHolder.free(true));
        Deque<Boolean> outcomes = new ArrayDeque<>(List.of(false, true));
        FailoverController controller = controller(script, outcomes::pop);

        assertThat(controller.awaitSlot()).isTrue();
        assertThat(roles).containsExactly("passive 300", "active after takeover");
        assertThat(outcomes).isEmpty();
    }

    @Test
    void anUnreadableDatabaseKeepsItPassiveWithoutClaiming() throws InterruptedException {
        AtomicInteger claims = new AtomicInteger();
        Script script = new Script(held(1), null, null, null, SlotHolder.free(true));
        FailoverController controller = controller(script, () -> claims.incrementAndGet() > 0);

        assertThat(controller.awaitSlot()).isTrue();
        assertThat(claims).hasValue(1);
        assertThat(roles).containsExactly("passive 1", "active after takeover");
    }

    @Test
    void cancelEndsTheWaitOfAPassiveInstance() {
        FailoverController controller = new FailoverController("s", "me", slot -> held(7), Duration.ofHours(1),
                () -> { throw new AssertionError("a held slot is never claimed"); }, listener);
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return controller.awaitSlot();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> roles.contains("passive 7"));

        controller.cancel();

        assertThat(waiting).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(false);
    }

    @Test
    void aFailureToStartOtherThanALostRaceEndsTheWait() {
        FailoverController controller = controller(new Script(SlotHolder.free(true)), () -> {
            throw new CdcException("permission denied");
        });

        assertThatThrownBy(controller::awaitSlot).hasMessage("permission denied");
    }

    private FailoverController controller(Script script, FailoverController.SlotClaim claim) {
        return new FailoverController("s", "me", script, INTERVAL, claim, listener);
    }

    private static SlotHolder held(long pid) {
        return new SlotHolder(true, true, pid, "10.0.0." + pid % 250, "pgcdc other");
    }

    /** Readings in order (null: the database does not answer); the last one repeats. */
    private static final class Script implements SlotHolders {
        private final Deque<SlotHolder> readings = new ArrayDeque<>();
        private SlotHolder last;

        Script(SlotHolder... readings) {
            for (SlotHolder reading : readings) {
                this.readings.add(reading == null ? new SlotHolder(false, false, -1, null, null) : reading);
            }
        }

        @Override
        public SlotHolder holder(String slotName) {
            SlotHolder next = readings.isEmpty() ? last : readings.poll();
            last = next;
            if (next.pid() == -1) {
                throw new CdcException("connection refused");
            }
            return next;
        }
    }
}
