package dev.pgcdc.snapshot;

import dev.pgcdc.api.event.ChangeEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The bounded hand-off of snapshot events from the reading thread to the polling thread, in batches (one
 * lock and wake-up per batch, not per row): the reader {@link #put}s full batches and blocks while
 * {@code capacity} batches wait or their estimated bytes would pass {@code capacityBytes} (a batch larger
 * than that alone waits until the hand-off is empty, so it still passes); {@link #poll} hands out at most
 * {@code maxEvents}, keeping the rest of a batch for the next call. One putting thread, one polling thread.
 */
final class EventHandOff {

    private record Batch(List<ChangeEvent> events, int bytes) {
    }

    private final BlockingQueue<Batch> batches;
    private final int capacityBytes;
    /** Bytes that may still be put: a permit per byte. */
    private final Semaphore room;
    /** The rest of a batch taken but not handed out; polling thread only. */
    private List<ChangeEvent> leftover = List.of();
    private int leftoverIndex;

    /**
     * @param capacity      batches that may wait
     * @param capacityBytes estimated bytes of the events that may wait
     */
    EventHandOff(int capacity, int capacityBytes) {
        this.batches = new ArrayBlockingQueue<>(capacity);
        this.capacityBytes = capacityBytes;
        this.room = new Semaphore(capacityBytes);
    }

    /** Hands a batch of about {@code bytes} over, waiting while the hand-off is full. */
    void put(List<ChangeEvent> batch, long bytes) throws InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        int permits = (int) Math.min(Math.max(bytes, 1), capacityBytes);
        room.acquire(permits);
        try {
            batches.put(new Batch(batch, permits));
        } catch (InterruptedException e) {
            room.release(permits);
            throw e;
        }
    }

    /** At most {@code maxEvents} events in order, waiting up to {@code timeout} for the first; empty when none came. */
    List<ChangeEvent> poll(int maxEvents, Duration timeout) throws InterruptedException {
        List<ChangeEvent> out = new ArrayList<>(Math.min(maxEvents, 1024));
        takeLeftover(out, maxEvents);
        if (out.isEmpty()) {
            Batch first = batches.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (first == null) {
                return out;
            }
            take(first);
            takeLeftover(out, maxEvents);
        }
        while (out.size() < maxEvents) {
            Batch next = batches.poll();
            if (next == null) {
                break;
            }
            take(next);
            takeLeftover(out, maxEvents);
        }
        return out;
    }

    private void take(Batch batch) {
        room.release(batch.bytes());
        leftover = batch.events();
        leftoverIndex = 0;
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
        for (Batch batch = batches.poll(); batch != null; batch = batches.poll()) {
            room.release(batch.bytes());
        }
    }
}
