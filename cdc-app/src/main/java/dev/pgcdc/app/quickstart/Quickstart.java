package dev.pgcdc.app.quickstart;

import dev.pgcdc.app.cli.ExitCodes;
import dev.pgcdc.app.config.ConfigLoader;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.lifecycle.Service;
import dev.pgcdc.app.lifecycle.StopOnSignal;
import dev.pgcdc.app.logging.LogbackSetup;
import dev.pgcdc.app.logging.LogFormat;
import dev.pgcdc.app.logging.LoggingSettings;
import dev.pgcdc.app.plugin.PluginCatalog;
import dev.pgcdc.app.wiring.ServiceBootstrap;
import dev.pgcdc.testkit.kafka.KafkaBroker;
import dev.pgcdc.testkit.postgres.PostgresServer;
import dev.pgcdc.testkit.process.ExitCleanup;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * The quickstart, start to end: embedded PostgreSQL and Kafka (in parallel), a demo table
 * {@code customers} with publication {@code pgcdc_demo}, a generated configuration, the real
 * service on it (the same wiring as {@code pgcdc run}), a few changes, and the Kafka records
 * printed as they arrive. Ctrl-C (or SIGTERM) stops the service first (drain, acknowledge, close the
 * slot), then Kafka and PostgreSQL.
 */
public final class Quickstart {

    static final String TABLE = "customers";
    static final String TOPIC = "pgcdc.demo.customers";
    static final String PUBLICATION = "pgcdc_demo";
    static final String SLOT = "pgcdc_demo";
    /** The demo's changes: 3 inserts, 1 update, 1 delete. */
    static final int DEMO_RECORDS = 5;

    private final PrintWriter out;
    private final int httpPort;
    private final boolean exitWhenDone;

    public Quickstart(PrintWriter out, int httpPort, boolean exitWhenDone) {
        this.out = out;
        this.httpPort = httpPort;
        this.exitWhenDone = exitWhenDone;
    }

    /** Runs the demo; returns the exit code when it ends by itself (with {@code --exit-when-done} or a failure). */
    public int run() throws Exception {
        // the demo speaks for itself on standard output; the service only reports problems
        LogbackSetup.apply(new LoggingSettings("warn", LogFormat.TEXT, Map.of()));
        say("starting an embedded PostgreSQL and a Kafka broker (local processes, about 10-20 s)...");
        CompletableFuture<PostgresServer> postgresStart = CompletableFuture.supplyAsync(() -> PostgresServer.builder().start());
        CompletableFuture<KafkaBroker> kafkaStart = CompletableFuture.supplyAsync(() -> KafkaBroker.builder().start());
        PostgresServer postgres = postgresStart.join();
        KafkaBroker kafka = kafkaStart.join();
        say(postgres.description());
        say("Kafka: " + kafka.description());

        postgres.execute("CREATE TABLE " + TABLE + " (id serial PRIMARY KEY, name text NOT NULL, email text,"
                        + " updated_at timestamptz NOT NULL DEFAULT now())",
                "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE " + TABLE);
        kafka.createTopic(TOPIC, 1);
        say("created table " + TABLE + ", publication " + PUBLICATION + " and topic " + TOPIC);

        Path directory = Files.createTempDirectory("pgcdc-quickstart");
        Path configFile = directory.resolve("quickstart.conf");
        int port = choosePort(httpPort);
        Files.writeString(configFile, configuration(postgres, kafka, port));
        say("configuration: " + configFile + " (the service runs on it as 'pgcdc run --config " + configFile + "' would)");

        ClassLoader classLoader = Quickstart.class.getClassLoader();
        PluginCatalog catalog = PluginCatalog.discover(classLoader);
        ServiceConfiguration configuration = ServiceConfiguration.load(configFile, new ConfigLoader(classLoader), catalog);
        LogbackSetup.apply(configuration.app().logging());
        Service service = ServiceBootstrap.create(configuration, catalog);
        RecordPrinter printer = new RecordPrinter(kafka.clientProperties(), TOPIC, out);
        // from here on this class stops Kafka and PostgreSQL itself, after the service has drained
        ExitCleanup.unregister(postgres);
        ExitCleanup.unregister(kafka);
        AtomicBoolean stopped = new AtomicBoolean();
        IntSupplier stopAll = () -> {
            if (stopped.compareAndSet(false, true)) {
                say("stopping: draining the service, then Kafka and PostgreSQL...");
                service.stop();
                printer.close();
                kafka.close();
                postgres.close();
                say("stopped.");
            }
            return service.failure().isPresent() ? ExitCodes.FAILED : ExitCodes.OK;
        };
        StopOnSignal.install(Duration.ofSeconds(90), stopAll);

        printer.start();
        service.start();
        say("pgcdc is streaming. Metrics: http://localhost:" + service.httpPort() + "/metrics  Status: http://localhost:"
                + service.httpPort() + "/status");
        writeDemoChanges(postgres);
        boolean arrived = printer.awaitRecords(DEMO_RECORDS, Duration.ofSeconds(60));
        if (!arrived) {
            say("the demo changes did not all arrive in Kafka within 60 s");
        }
        if (exitWhenDone || !arrived) {
            int status = stopAll.getAsInt();
            say(arrived ? "done." : "the demo did not complete.");
            return arrived ? status : ExitCodes.FAILED;
        }
        say("try your own changes:  psql \"postgresql://" + postgres.user() + "@" + postgres.host() + ":" + postgres.port() + "/"
                + postgres.database() + "\" -c \"UPDATE " + TABLE + " SET email = 'new@example.com' WHERE id = 2\"");
        say("press Ctrl-C to stop.");
        while (!service.awaitTermination(Duration.ofHours(1))) {
            // runs until Ctrl-C (the stopping thread ends the process) or a failure
        }
        if (service.failure().isPresent()) {
            say("the service failed: " + service.failure().get().getMessage());
            return ExitCodes.FAILED;
        }
        new CountDownLatch(1).await(); // stopped on a signal by the stopping thread, which ends the process
        return ExitCodes.OK;
    }

    private void writeDemoChanges(PostgresServer postgres) throws InterruptedException {
        String[] changes = {
            "INSERT INTO " + TABLE + " (name, email) VALUES ('Ada Lovelace', 'ada@example.com')",
            "INSERT INTO " + TABLE + " (name, email) VALUES ('Grace Hopper', 'grace@example.com')",
            "INSERT INTO " + TABLE + " (name, email) VALUES ('Edsger Dijkstra', 'edsger@example.com')",
            "UPDATE " + TABLE + " SET email = 'grace.hopper@example.com', updated_at = now() WHERE name = 'Grace Hopper'",
            "DELETE FROM " + TABLE + " WHERE name = 'Edsger Dijkstra'"};
        for (String change : changes) {
            say("SQL> " + change);
            postgres.execute(change);
            Thread.sleep(300);
        }
    }

    static String configuration(PostgresServer postgres, KafkaBroker kafka, int httpPort) {
        return """
                # Generated by pgcdc quickstart.
                pgcdc {
                  postgres {
                    host = "%s"
                    port = %d
                    database = "%s"
                    user = "%s"
                    password = ${?PGCDC_QUICKSTART_PASSWORD}
                  }
                  publication {
                    name = %s
                    tables = [ { name = %s } ]
                  }
                  slot {
                    name = %s
                    create-if-not-exists = true
                  }
                  kafka {
                    bootstrap-servers = "%s"
                    table-topic-mapping { "public.%s" = "%s" }
                  }
                  http.port = %d
                  logging.level = warn
                }
                """.formatted(postgres.host(), postgres.port(), postgres.database(), postgres.user(), PUBLICATION, TABLE, SLOT,
                kafka.bootstrapServers(), TABLE, TOPIC, httpPort);
    }

    /** {@code preferred} if it is free (or 0), else any free port. */
    private static int choosePort(int preferred) {
        if (preferred == 0) {
            return 0;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(preferred));
            return preferred;
        } catch (IOException e) {
            return 0;
        }
    }

    private void say(String line) {
        out.println("[quickstart] " + line);
        out.flush();
    }
}
