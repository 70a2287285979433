package dev.pgcdc.app.lifecycle;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops gracefully on SIGTERM and SIGINT and then exits with the stop's status (0 after a clean
 * drain) instead of the JVM's 143/130. The signals are taken over with the JDK's
 * {@code sun.misc.Signal} (module {@code jdk.unsupported}, looked up reflectively so that its absence
 * only loses the exit status): the JVM then does not start shutting down by itself, so the stop runs
 * on a thread of its own ({@code pgcdc-shutdown}) and ends with {@code System.exit(status)}. A second
 * signal while stopping, or a stop taking longer than {@code bound}, ends the process at once with
 * status 1.
 *
 * <p>A shutdown hook runs the same stop for every other way the JVM may exit (SIGHUP, an exit
 * elsewhere); the stop action must be idempotent.
 */
public final class StopOnSignal {

    private static final Logger LOG = LoggerFactory.getLogger(StopOnSignal.class);

    private final Duration bound;
    private final IntSupplier stop;
    private final AtomicBoolean signalled = new AtomicBoolean();

    private StopOnSignal(Duration bound, IntSupplier stop) {
        this.bound = Objects.requireNonNull(bound, "bound");
        this.stop = Objects.requireNonNull(stop, "stop");
    }

    /**
     * Installs the signal handlers and the shutdown hook.
     *
     * @param bound how long stopping may take before the process is ended anyway
     * @param stop  stops everything (idempotently) and returns the exit status
     */
    public static StopOnSignal install(Duration bound, IntSupplier stop) {
        StopOnSignal handler = new StopOnSignal(bound, stop);
        boolean handled = handler.handle("TERM") & handler.handle("INT");
        if (!handled) {
            LOG.debug("sun.misc.Signal is not available; a stop on SIGTERM exits with the JVM's status 143");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stop::getAsInt, "pgcdc-shutdown-hook"));
        return handler;
    }

    /** Whether a stop signal arrived (the main thread should then leave the exit to the stopping thread). */
    public boolean isSignalled() {
        return signalled.get();
    }

    private void onSignal(String name) {
        if (!signalled.compareAndSet(false, true)) {
            LOG.warn("second SIG{} while stopping: exiting now", name);
            Runtime.getRuntime().halt(1);
            return;
        }
        Thread stopping = new Thread(() -> {
            LOG.info("received SIG{}; stopping gracefully (at most {} s)", name, bound.toSeconds());
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(bound.toMillis());
                    LOG.error("stopping took longer than {} s; exiting without waiting further", bound.toSeconds());
                    Runtime.getRuntime().halt(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "pgcdc-shutdown-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            int status;
            try {
                status = stop.getAsInt();
            } catch (RuntimeException e) {
                LOG.error("stopping failed: {}", e.getMessage(), e);
                status = 1;
            }
            watchdog.interrupt();
            LOG.info("exiting with status {}", status);
            System.exit(status);
        }, "pgcdc-shutdown");
        stopping.start();
    }

    /** Takes over {@code SIG<name>}; false when the JDK offers no way to. */
    private boolean handle(String name) {
        try {
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Constructor<?> signalOf = signalType.getConstructor(String.class);
            Method handle = signalType.getMethod("handle", signalType, handlerType);
            InvocationHandler onCall = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    onSignal(name);
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                case "toString" -> "pgcdc SIG" + name + " handler";
                default -> null;
            };
            Object handler = Proxy.newProxyInstance(StopOnSignal.class.getClassLoader(), new Class<?>[] {handlerType}, onCall);
            handle.invoke(null, signalOf.newInstance(name), handler);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}
