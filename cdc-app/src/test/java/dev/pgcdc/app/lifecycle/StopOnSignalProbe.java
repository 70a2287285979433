package dev.pgcdc.app.lifecycle;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A process that installs {@link StopOnSignal} with a stop that takes {@code args[1]} milliseconds
 * (or never ends: {@code forever}) and returns status {@code args[2]}, with a bound of {@code args[0]}
 * milliseconds; prints "ready", and "stopping" when the stop begins.
 */
public final class StopOnSignalProbe {

    private StopOnSignalProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        Duration bound = Duration.ofMillis(Long.parseLong(args[0]));
        long stopMillis = args[1].equals("forever") ? Long.MAX_VALUE : Long.parseLong(args[1]);
        int status = Integer.parseInt(args[2]);
        CountDownLatch never = new CountDownLatch(1);
        StopOnSignal.install(bound, () -> {
            System.out.println("stopping");
            System.out.flush();
            try {
                Thread.sleep(stopMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return status;
        });
        System.out.println("ready");
        System.out.flush();
        never.await();
    }
}
