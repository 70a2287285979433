package dev.pgcdc.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class EventHandOffTest {

    private static List<ChangeEvent> batch(int from, int count) {
        List<ChangeEvent> events = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            events.add(ChangeEvent.builder(Operation.READ).table(new TableId("public", "t")).after(Row.of(Map.of("id", i)))
                    .position(new Position(Lsn.of(1), i)).build());
        }
        return events;
    }

    private static List<Long> sequences(List<ChangeEvent> events) {
        return events.stream().map(event -> event.position().sequence()).toList();
    }

    @Test
    void pollHandsOutAtMostMaxEventsInOrderAcrossBatches() throws Exception {
        EventHandOff handOff = new EventHandOff(4, 1000);
        handOff.put(batch(0, 5), 100);
        handOff.put(batch(5, 5), 100);
        assertThat(sequences(handOff.poll(3, Duration.ZERO))).containsExactly(0L, 1L, 2L);
        assertThat(sequences(handOff.poll(4, Duration.ZERO))).containsExactly(3L, 4L, 5L, 6L);
        assertThat(sequences(handOff.poll(100, Duration.ZERO))).containsExactly(7L, 8L, 9L);
        assertThat(handOff.poll(100, Duration.ofMillis(10))).isEmpty();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aFullHandOffBlocksThePutterUntilPolled() throws Exception {
        EventHandOff handOff = new EventHandOff(1, 1000);
        handOff.put(batch(0, 2), 10);
        Thread putter = new Thread(() -> {
            try {
                handOff.put(batch(2, 2), 10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        putter.start();
        putter.join(200);
        assertThat(putter.isAlive()).as("blocked while the hand-off is full").isTrue();
        // at most the first batch: once it is taken the putter may put its own at once, and a larger poll could take both
        assertThat(sequences(handOff.poll(2, Duration.ZERO))).containsExactly(0L, 1L);
        putter.join();
        assertThat(sequences(handOff.poll(10, Duration.ofSeconds(1)))).containsExactly(2L, 3L);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void batchesWhoseBytesFillTheHandOffBlockThePutterUntilPolledAndOneLargerThanItPassesAlone() throws Exception {
        EventHandOff handOff = new EventHandOff(10, 1000);
        handOff.put(batch(0, 1), 600);
        Thread putter = new Thread(() -> {
            try {
                handOff.put(batch(1, 1), 600);
                handOff.put(batch(2, 1), 5000);
                handOff.put(batch(3, 1), 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        putter.start();
        putter.join(200);
        assertThat(putter.isAlive()).as("blocked: 600 + 600 bytes pass the 1000 of the hand-off, though 9 batches more would fit").isTrue();
        assertThat(sequences(handOff.poll(1, Duration.ZERO))).containsExactly(0L);
        assertThat(sequences(handOff.poll(1, Duration.ofSeconds(5)))).containsExactly(1L);
        assertThat(sequences(handOff.poll(1, Duration.ofSeconds(5)))).as("a batch larger than the hand-off, once it is empty").containsExactly(2L);
        putter.join();
        assertThat(sequences(handOff.poll(10, Duration.ofSeconds(1)))).containsExactly(3L);
    }

    @Test
    void clearGivesTheBytesOfTheDroppedBatchesBack() throws Exception {
        EventHandOff handOff = new EventHandOff(10, 1000);
        handOff.put(batch(0, 1), 900);
        handOff.clear();
        handOff.put(batch(1, 1), 900);
        assertThat(sequences(handOff.poll(10, Duration.ZERO))).containsExactly(1L);
    }
}
