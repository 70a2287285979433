package dev.pgcdc.metrics.http;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Instant;

/**
 * A dump of every live thread with its whole stack and the locks it holds or waits for, in the layout of
 * {@code jstack -l} so the usual thread-dump readers take it. ({@link ThreadInfo#toString()} would cut each
 * stack after eight frames.)
 */
final class ThreadDump {

    private ThreadDump() {
    }

    static String take() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ThreadInfo[] infos = threads.dumpAllThreads(threads.isObjectMonitorUsageSupported(), threads.isSynchronizerUsageSupported());
        StringBuilder out = new StringBuilder(infos.length * 1024);
        out.append(Instant.now()).append('\n')
                .append("Full thread dump ").append(System.getProperty("java.vm.name")).append(" (")
                .append(System.getProperty("java.vm.version")).append("), ").append(infos.length).append(" threads:\n\n");
        for (ThreadInfo info : infos) {
            write(out, info);
        }
        long[] deadlocked = threads.isSynchronizerUsageSupported() ? threads.findDeadlockedThreads() : threads.findMonitorDeadlockedThreads();
        if (deadlocked != null) {
            out.append("Found ").append(deadlocked.length).append(" deadlocked threads:");
            for (ThreadInfo info : threads.getThreadInfo(deadlocked)) {
                if (info != null) {
                    out.append(" \"").append(info.getThreadName()).append('"');
                }
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static void write(StringBuilder out, ThreadInfo info) {
        out.append('"').append(info.getThreadName()).append("\" #").append(info.getThreadId());
        if (info.isDaemon()) {
            out.append(" daemon");
        }
        out.append(" prio=").append(info.getPriority()).append('\n');
        out.append("   java.lang.Thread.State: ").append(info.getThreadState()).append('\n');
        StackTraceElement[] stack = info.getStackTrace();
        MonitorInfo[] monitors = info.getLockedMonitors();
        for (int depth = 0; depth < stack.length; depth++) {
            out.append("\tat ").append(stack[depth]).append('\n');
            if (depth == 0 && info.getLockInfo() != null) {
                String verb = switch (info.getThreadState()) {
                    case BLOCKED -> "waiting to lock";
                    case WAITING, TIMED_WAITING -> waitVerb(stack[0]);
                    default -> "waiting on";
                };
                out.append("\t- ").append(verb).append(' ').append(lock(info.getLockInfo()));
                if (info.getLockOwnerName() != null) {
                    out.append(" owned by \"").append(info.getLockOwnerName()).append("\" #").append(info.getLockOwnerId());
                }
                out.append('\n');
            }
            for (MonitorInfo monitor : monitors) {
                if (monitor.getLockedStackDepth() == depth) {
                    out.append("\t- locked ").append(lock(monitor)).append('\n');
                }
            }
        }
        LockInfo[] synchronizers = info.getLockedSynchronizers();
        out.append("\n   Locked ownable synchronizers:\n");
        if (synchronizers.length == 0) {
            out.append("\t- None\n");
        }
        for (LockInfo synchronizer : synchronizers) {
            out.append("\t- ").append(lock(synchronizer)).append('\n');
        }
        out.append('\n');
    }

    /** jstack says "parking to wait for" under {@code Unsafe.park} (a j.u.c. lock) and "waiting on" under {@code Object.wait}. */
    private static String waitVerb(StackTraceElement top) {
        return "park".equals(top.getMethodName()) ? "parking to wait for" : "waiting on";
    }

    private static String lock(LockInfo lock) {
        return String.format("<0x%08x> (a %s)", lock.getIdentityHashCode(), lock.getClassName());
    }
}
