package dev.pgcdc.it.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What Linux's {@code /proc} says about a process: CPU time (user + system), resident memory, its
 * children, and which process listens on a TCP port. Every method answers "unknown" (an empty
 * optional, 0) rather than failing when a process is gone or {@code /proc} is not there, so a
 * benchmark on another system still runs and prints {@code n/a}.
 */
final class Proc {

    /** Clock ticks per second of {@code /proc/<pid>/stat}'s times; 100 on every Linux we know. */
    static final double TICKS_PER_SECOND = 100.0;

    private Proc() {
    }

    /** One line of {@code /proc/<pid>/stat}: the parent and the CPU ticks of the process and of its reaped children. */
    record Stat(long pid, long parent, long ownTicks, long reapedChildrenTicks) {
    }

    /** {@code /proc/<pid>/stat}, if the process exists. */
    static Optional<Stat> stat(long pid) {
        try {
            String line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'
            String[] fields = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
            // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17
            return Optional.of(new Stat(pid, Long.parseLong(fields[1]),
                    Long.parseLong(fields[11]) + Long.parseLong(fields[12]),
                    Long.parseLong(fields[13]) + Long.parseLong(fields[14])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** CPU seconds (user + system) of a process and of the children it has reaped; 0 when it is gone. */
    static double cpuSeconds(long pid) {
        return stat(pid).map(s -> (s.ownTicks() + s.reapedChildrenTicks()) / TICKS_PER_SECOND).orElse(0.0);
    }

    /** A {@code kB} field of {@code /proc/<pid>/status} ({@code VmHWM}, {@code VmRSS}) in kB; 0 when unknown. */
    static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return 0;
    }

    /** Every process's stat line, by PID. */
    static Map<Long, Stat> all() {
        Map<Long, Stat> stats = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), entry -> entry.getFileName().toString().matches("\\d+"))) {
            for (Path entry : entries) {
                stat(Long.parseLong(entry.getFileName().toString())).ifPresent(s -> stats.put(s.pid(), s));
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no process tree
        }
        return stats;
    }

    /**
     * The PID of the process listening on TCP {@code port} (IPv4 or IPv6), found through the socket's
     * inode in {@code /proc/net/tcp*} and the file descriptors of {@code /proc/<pid>/fd}; empty when
     * none is visible (another host, another PID namespace, or no right to read other processes' fds).
     */
    static OptionalLong listeningPid(int port) {
        String inode = null;
        String localPort = String.format(Locale.ROOT, ":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table), StandardCharsets.US_ASCII)) {
                    String[] fields = line.trim().split("\\s+");
                    // sl local_address rem_address st ... inode (field 9); st 0A = LISTEN
                    if (fields.length > 9 && fields[1].endsWith(localPort) && fields[3].equals("0A")) {
                        inode = fields[9];
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no such table
            }
        }
        if (inode == null) {
            return OptionalLong.empty();
        }
        String target = "socket:[" + inode + "]";
        for (long pid : all().keySet()) {
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
                for (Path fd : fds) {
                    try {
                        if (Files.readSymbolicLink(fd).toString().equals(target)) {
                            return OptionalLong.of(pid);
                        }
                    } catch (IOException | RuntimeException e) {
                        // closed meanwhile
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone, or not ours to read
            }
        }
        return OptionalLong.empty();
    }

    /** A line of {@code /proc/<file>} such as {@code loadavg}, or {@code ?}. */
    static String read(String file) {
        try {
            return Files.readString(Path.of("/proc", file), StandardCharsets.US_ASCII).trim();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /**
     * The CPU a server used over a span of time, summed over its process and every descendant
     * (PostgreSQL's postmaster, its backends and walsenders; a broker's JVM): start with
     * {@link #of(long)}, read with {@link #secondsSinceStart()}. A descendant that ends in between
     * is counted through its parent's reaped-children time (PostgreSQL's backends are the
     * postmaster's children), minus what it had used before the start.
     */
    static final class TreeCpu {
        private final long root;
        private final Map<Long, Long> startTicks;
        private final long startReaped;

        private TreeCpu(long root, Map<Long, Long> startTicks, long startReaped) {
            this.root = root;
            this.startTicks = startTicks;
            this.startReaped = startReaped;
        }

        static TreeCpu of(long root) {
            Map<Long, Stat> all = all();
            return new TreeCpu(root, ticks(root, all), reaped(root, all));
        }

        double secondsSinceStart() {
            Map<Long, Stat> all = all();
            Map<Long, Long> now = ticks(root, all);
            long total = reaped(root, all) - startReaped;
            for (Map.Entry<Long, Long> entry : now.entrySet()) {
                total += entry.getValue() - startTicks.getOrDefault(entry.getKey(), 0L);
            }
            for (Map.Entry<Long, Long> entry : startTicks.entrySet()) {
                if (!now.containsKey(entry.getKey())) {
                    total -= entry.getValue(); // its whole life is in the parent's reaped time now
                }
            }
            return total / TICKS_PER_SECOND;
        }

        private static long reaped(long root, Map<Long, Stat> all) {
            Stat stat = all.get(root);
            return stat == null ? 0 : stat.reapedChildrenTicks();
        }

        /** The own ticks of {@code root} and of all its descendants, by PID. */
        private static Map<Long, Long> ticks(long root, Map<Long, Stat> all) {
            Map<Long, Long> ticks = new HashMap<>();
            for (Stat stat : all.values()) {
                if (isDescendant(stat, root, all)) {
                    ticks.put(stat.pid(), stat.ownTicks());
                }
            }
            return ticks;
        }

        private static boolean isDescendant(Stat stat, long root, Map<Long, Stat> all) {
            Stat current = stat;
            for (int depth = 0; current != null && depth < 64; depth++) {
                if (current.pid() == root) {
                    return true;
                }
                current = all.get(current.parent());
            }
            return false;
        }
    }
}
