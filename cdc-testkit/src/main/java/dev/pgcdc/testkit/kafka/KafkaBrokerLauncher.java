package dev.pgcdc.testkit.kafka;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * The main class of a broker JVM started by {@link KafkaBroker}. It first makes the broker end with
 * the test JVM (on end of file on its standard input, which the test JVM holds open, or when the
 * process of {@code -Dpgcdc.testkit.parent.pid} is gone), then formats the log directory if asked,
 * in this JVM (saves starting one for {@code kafka-storage}), then runs {@code kafka.Kafka}.
 *
 * <p>Arguments: {@code [--format CLUSTER_ID [--add-scram SPEC]...] SERVER_PROPERTIES}. Uses only the
 * JDK and reflection, so it needs nothing of the test kit on the broker's classpath but itself. Its
 * name puts {@code kafka.Kafka} in the broker's command line, where {@code pgrep -f kafka\.Kafka}
 * finds brokers, ours included.
 */
public final class KafkaBrokerLauncher {
    static final String PARENT_PID_PROPERTY = "pgcdc.testkit.parent.pid";

    private KafkaBrokerLauncher() {
    }

    public static void main(String[] args) throws Throwable {
        watchParent();
        String clusterId = null;
        List<String> scram = new ArrayList<>();
        int i = 0;
        for (; i < args.length - 1; i++) {
            switch (args[i]) {
                case "--format" -> clusterId = args[++i];
                case "--add-scram" -> scram.add(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String serverProperties = args[args.length - 1];
        if (clusterId != null) {
            format(clusterId, scram, serverProperties);
        }
        invoke("kafka.Kafka", "main", new Class<?>[] {String[].class}, (Object) new String[] {serverProperties});
    }

    private static void format(String clusterId, List<String> scram, String serverProperties) throws Throwable {
        List<String> arguments = new ArrayList<>(List.of("format", "--standalone", "-t", clusterId, "-c", serverProperties));
        for (String spec : scram) {
            arguments.addAll(List.of("--add-scram", spec));
        }
        Object exitCode = invoke("kafka.tools.StorageTool", "execute", new Class<?>[] {String[].class, PrintStream.class},
                arguments.toArray(String[]::new), System.out);
        if (!Integer.valueOf(0).equals(exitCode)) {
            System.err.println("kafka-storage format failed with exit code " + exitCode);
            System.exit(1);
        }
    }

    private static Object invoke(String className, String methodName, Class<?>[] types, Object... args) throws Throwable {
        Method method = Class.forName(className).getMethod(methodName, types);
        try {
            return method.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void watchParent() {
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // nothing is ever written; only the end of file matters
                }
            } catch (IOException e) {
                // a broken pipe means the same as end of file
            }
            halt("standard input closed");
        }, "pgcdc-testkit-parent-watch-stdin");
        stdin.setDaemon(true);
        stdin.start();
        String parentPid = System.getProperty(PARENT_PID_PROPERTY);
        if (parentPid != null) {
            Thread poll = new Thread(() -> {
                ProcessHandle parent = ProcessHandle.of(Long.parseLong(parentPid)).orElse(null);
                while (parent != null && parent.isAlive()) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                halt("test JVM " + parentPid + " is gone");
            }, "pgcdc-testkit-parent-watch-pid");
            poll.setDaemon(true);
            poll.start();
        }
    }

    private static void halt(String reason) {
        System.err.println("pgcdc-testkit: stopping the broker: " + reason);
        Runtime.getRuntime().halt(143);
    }
}
