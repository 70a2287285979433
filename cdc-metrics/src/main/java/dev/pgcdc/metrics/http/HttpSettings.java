package dev.pgcdc.metrics.http;

import java.util.Objects;

/**
 * Where the HTTP endpoints listen, and whether the debug endpoints are served.
 *
 * @param host  the address to bind, e.g. {@code 0.0.0.0} (all) or {@code 127.0.0.1}
 * @param port  the port, 0 for any free one (see {@link StatusServer#port()})
 * @param debug whether {@code /debug/threads} and {@code /debug/jfr} exist; off by default because they
 *              show the service's internals (thread stacks, a profile) to anyone who reaches the port
 */
public record HttpSettings(String host, int port, boolean debug) {

    public HttpSettings {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
    }

    /** Without the debug endpoints. */
    public HttpSettings(String host, int port) {
        this(host, port, false);
    }
}
