package dev.pgcdc.coordination.failover;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The default name of an instance in a failover group: {@code <host name>-<process id>}. */
public final class InstanceId {

    private InstanceId() {
    }

    /** {@code <host name>-<process id>}; the host name from {@code HOSTNAME}, else the resolver, else {@code localhost}. */
    public static String defaultId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException | SecurityException e) {
                host = "localhost";
            }
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
