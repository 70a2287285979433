package dev.pgcdc.postgres.connection;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The servers pgcdc may connect to: one ({@code postgres.host}) or several ({@code postgres.hosts},
 * each {@code host} or {@code host:port}, an IPv6 address in brackets when it has a port). With
 * several, pgjdbc tries them in order and takes the one that is primary
 * ({@code targetServerType=primary}); while none is, each attempt fails with SQLSTATE 08001, which
 * the source retries with its backoff. Immutable and thread-safe.
 *
 * @param hosts each {@code host:port} as pgjdbc's URL wants it (IPv6 in brackets)
 */
public record ServerAddresses(List<String> hosts) {

    public ServerAddresses {
        hosts = List.copyOf(hosts);
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("no PostgreSQL host");
        }
    }

    /** One host (an IPv6 address without brackets is accepted) and its port. */
    public static ServerAddresses single(String host, int port) {
        return new ServerAddresses(List.of(bracketed(host) + ':' + port));
    }

    /**
     * Entries of {@code postgres.hosts}; one without a port gets {@code defaultPort}.
     *
     * @throws IllegalArgumentException naming the first entry that is not {@code host} or {@code host:port}
     */
    public static ServerAddresses parse(List<String> entries, int defaultPort) {
        List<String> hosts = new ArrayList<>(entries.size());
        for (String entry : entries) {
            hosts.add(parseOne(entry.trim(), defaultPort)
                    .orElseThrow(() -> new IllegalArgumentException("\"" + entry + "\" is not host or host:port (port 1 to 65535; an IPv6 "
                            + "address with a port in brackets: [::1]:5432)")));
        }
        return new ServerAddresses(hosts);
    }

    /** {@code host:port} with the port checked, empty when the entry is not one. */
    private static Optional<String> parseOne(String entry, int defaultPort) {
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        String host;
        String port;
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 2) {
                return Optional.empty();
            }
            host = entry.substring(1, close);
            String rest = entry.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                return Optional.empty();
            }
            port = rest.isEmpty() ? null : rest.substring(1);
        } else if (entry.indexOf(':') != entry.lastIndexOf(':')) {
            host = entry; // an IPv6 address without a port
            port = null;
        } else {
            int colon = entry.indexOf(':');
            host = colon < 0 ? entry : entry.substring(0, colon);
            port = colon < 0 ? null : entry.substring(colon + 1);
        }
        if (host.isEmpty() || host.contains("/") || host.contains(",")) {
            return Optional.empty();
        }
        int number = defaultPort;
        if (port != null) {
            try {
                number = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return number < 1 || number > 65535 ? Optional.empty() : Optional.of(bracketed(host) + ':' + number);
    }

    private static String bracketed(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? '[' + host + ']' : host;
    }

    /** More than one server: connections ask for the primary. */
    public boolean several() {
        return hosts.size() > 1;
    }

    /** {@code h1:p1,h2:p2}, the host part of pgjdbc's URL and of messages. */
    public String urlPart() {
        return String.join(",", hosts);
    }

    /** The first host's port. */
    public int firstPort() {
        String first = hosts.get(0);
        return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
    }

    /** The first host without its port (brackets removed), for metric labels. */
    public String firstHost() {
        String first = hosts.get(0);
        String host = first.substring(0, first.lastIndexOf(':'));
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }
}
