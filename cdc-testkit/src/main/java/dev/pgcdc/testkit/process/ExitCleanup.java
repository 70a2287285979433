package dev.pgcdc.testkit.process;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Stops what is still running when the test JVM exits, normally or on an uncaught failure: one
 * JVM shutdown hook runs every registered stop action, in parallel (a PostgreSQL and a broker
 * each take about a second to stop). Thread-safe.
 */
public final class ExitCleanup {
    // guarded by ExitCleanup.class
    private static final Map<Object, Runnable> ACTIONS = new LinkedHashMap<>();
    private static boolean hookInstalled;

    private ExitCleanup() {
    }

    /** Runs {@code stop} at JVM exit unless {@link #unregister} is called with the same key first. */
    public static synchronized void register(Object key, Runnable stop) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(ExitCleanup::runAll, "pgcdc-testkit-exit-cleanup"));
            hookInstalled = true;
        }
        ACTIONS.put(key, stop);
    }

    public static synchronized void unregister(Object key) {
        ACTIONS.remove(key);
    }

    private static void runAll() {
        List<Runnable> actions;
        synchronized (ExitCleanup.class) {
            actions = new ArrayList<>(ACTIONS.values());
            ACTIONS.clear();
        }
        List<Thread> threads = new ArrayList<>();
        for (Runnable action : actions) {
            Thread thread = new Thread(action, "pgcdc-testkit-stop");
            thread.start();
            threads.add(thread);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Thread thread : threads) {
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
