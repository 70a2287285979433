package dev.pgcdc.testkit.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The files a broker JVM reads: {@code server.properties} for a single-node KRaft broker (broker and
 * controller in one process, replication factor 1 everywhere, quick session expiry so that a
 * restart after {@code kill -9} is back in seconds) and a log4j2 configuration that sends INFO and
 * above to {@code server.log} in the broker's directory and nothing to the console.
 */
final class BrokerConfiguration {
    static final String INTERNAL_LISTENER = "PLAINTEXT";
    static final String CLIENT_LISTENER = "CLIENT";

    private BrokerConfiguration() {
    }

    /**
     * The server properties. {@code clientProtocol} is {@code PLAINTEXT} for a plain broker (then
     * clients use the internal listener) or {@code SSL}, {@code SASL_PLAINTEXT}, {@code SASL_SSL}
     * for the extra client listener on {@code clientPort}, which with SASL enables the mechanisms
     * of {@code saslUsers}.
     */
    static Map<String, String> serverProperties(Path dataDirectory, int internalPort, int controllerPort,
                                                String clientProtocol, int clientPort, BrokerCertificates certificates,
                                                List<SaslUser> saslUsers, Map<String, String> overrides) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", INTERNAL_LISTENER);
        String listeners = INTERNAL_LISTENER + "://127.0.0.1:" + internalPort + ",CONTROLLER://127.0.0.1:" + controllerPort;
        String advertised = INTERNAL_LISTENER + "://127.0.0.1:" + internalPort;
        String protocols = INTERNAL_LISTENER + ":PLAINTEXT,CONTROLLER:PLAINTEXT";
        boolean secured = !clientProtocol.equals("PLAINTEXT");
        if (secured) {
            listeners += "," + CLIENT_LISTENER + "://127.0.0.1:" + clientPort;
            advertised += "," + CLIENT_LISTENER + "://127.0.0.1:" + clientPort;
            protocols += "," + CLIENT_LISTENER + ":" + clientProtocol;
        }
        p.put("listeners", listeners);
        p.put("advertised.listeners", advertised);
        p.put("listener.security.protocol.map", protocols);
        p.put("log.dirs", dataDirectory.toString());
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("broker.session.timeout.ms", "3000");
        p.put("broker.heartbeat.interval.ms", "500");
        String prefix = "listener.name." + CLIENT_LISTENER.toLowerCase(Locale.ROOT) + ".";
        if (clientProtocol.startsWith("SASL")) {
            List<String> mechanisms = saslUsers.stream().map(SaslUser::mechanism).distinct().toList();
            p.put(prefix + "sasl.enabled.mechanisms", String.join(",", mechanisms));
            for (String mechanism : mechanisms) {
                p.put(prefix + mechanism.toLowerCase(Locale.ROOT) + ".sasl.jaas.config", SaslUser.brokerJaasConfig(mechanism, saslUsers));
            }
        }
        if (clientProtocol.endsWith("SSL")) {
            p.put(prefix + "ssl.keystore.type", "PKCS12");
            p.put(prefix + "ssl.keystore.location", certificates.keyStore().toString());
            p.put(prefix + "ssl.keystore.password", certificates.password());
            p.put(prefix + "ssl.key.password", certificates.password());
        }
        p.putAll(overrides);
        return p;
    }

    static void write(Map<String, String> properties, Path file) {
        StringBuilder text = new StringBuilder("# written by the pgcdc test kit\n");
        properties.forEach((key, value) -> text.append(key).append('=').append(escape(value)).append('\n'));
        writeText(file, text.toString());
    }

    static void writeLogConfiguration(Path file, Path logFile) {
        writeText(file, String.join("\n",
                "status = warn",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = " + escape(logFile.toString()),
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                ""));
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\");
    }

    private static void writeText(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
