package dev.pgcdc.snapshot;

import dev.pgcdc.api.event.ChangeEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The bounded hand-off of snapshot events from the reading thread to the polling thread, in batches (one
 * lock and wake-up per batch, not per row): the reader {@link #put}s full batches and blocks while
 * {@code capacity} batches wait; {@link #poll} hands out at most {@code maxEvents}, keeping the rest of a
 * batch for the next call. One putting thread, one polling thread.
 */
final class EventHandOff {

    private final BlockingQueue<List<ChangeEvent>> batches;
    /** The rest of a batch taken but not handed out; polling thread only. */
    private List<ChangeEvent> leftover = List.of();
    private int leftoverIndex;

    /** @param capacity batches that may wait */
    EventHandOff(int capacity) {
        this.batches = new ArrayBlockingQueue<>(capacity);
    }

    /** Hands a batch over, waiting while the hand-off is full. */
    void put(List<ChangeEvent> batch) throws InterruptedException {
        if (!batch.isEmpty()) {
            batches.put(batch);
        }
    }

    /** At most {@code maxEvents} events in order, waiting up to {@code timeout} for the first; empty when none came. */
    List<ChangeEvent> poll(int maxEvents, Duration timeout) throws InterruptedException {
        List<ChangeEvent> out = new ArrayList<>(Math.min(maxEvents, 1024));
        takeLeftover(out, maxEvents);
        if (out.isEmpty()) {
            List<ChangeEvent> first = batches.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (first == null) {
                return out;
            }
            leftover = first;
            leftoverIndex = 0;
            takeLeftover(out, maxEvents);
        }
        while (out.size() < maxEvents) {
            List<ChangeEvent> next = batches.poll();
            if (next == null) {
                break;
            }
            leftover = next;
            leftoverIndex = 0;
            takeLeftover(out, maxEvents);
        }
        return out;
    }

    private void takeLeftover(List<ChangeEvent> out, int maxEvents) {
        int take = Math.min(maxEvents - out.size(), leftover.size() - leftoverIndex);
        if (take > 0) {
            out.addAll(leftover.subList(leftoverIndex, leftoverIndex + take));
            leftoverIndex += take;
        }
        if (leftoverIndex >= leftover.size()) {
            leftover = List.of();
            leftoverIndex = 0;
        }
    }

    /** Drops whatever waits (on a stop). */
    void clear() {
        batches.clear();
    }
}
