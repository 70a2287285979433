package dev.pgcdc.it.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaBroker;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka ACLs of docs/security.md, against a broker of the test kit that authorizes every request
 * (KRaft's StandardAuthorizer; SCRAM users {@code admin}, a super user, and {@code pgcdc}): the service
 * writes as {@code pgcdc} with only the ACLs the page lists for its mode, and stops with a hint naming
 * the missing grant when one is absent.
 */
@TestEnvironment
class KafkaAclEndToEndIT {

    private static final String PRINCIPAL = "User:pgcdc";
    private static final String PASSWORD = "pgcdc-secret";
    private static final int FAILED = 1;

    private static KafkaBroker broker;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service's output
    Path directory;

    @BeforeAll
    static void startAuthorizingBroker() {
        // the first user is what the test's own clients (topic creation, TopicReader) use; ANONYMOUS is the inter-broker listener's
        broker = KafkaBroker.builder().withScram("admin", "admin-secret").withScram("pgcdc", PASSWORD)
                .withBrokerProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .withBrokerProperty("super.users", "User:admin;User:ANONYMOUS")
                .start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void atLeastOnceWritesWithWriteAndDescribeOnItsTopicAlone(PostgresDatabase postgres) {
        Capture capture = new Capture(postgres);
        allow(ResourceType.TOPIC, capture.topic, AclOperation.WRITE, AclOperation.DESCRIBE);
        try (PgcdcProcess service = capture.start(directory, "at-least-once")) {
            capture.writeAndAwaitConfirmed(service);
            assertThat(TopicReader.of(broker).readAll(capture.topic)).as("records in %s", capture.topic).hasSize(3);
            service.stopGracefully(Duration.ofSeconds(60));
        } finally {
            capture.slot.drop();
        }
    }

    @Test
    void exactlyOnceWritesWithTheTransactionalIdAndOffsetsTopicAclsToo(PostgresDatabase postgres) {
        Capture capture = new Capture(postgres, "pgcdc.kafka.exactly-once = true");
        allow(ResourceType.TOPIC, capture.topic, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(ResourceType.TRANSACTIONAL_ID, "pgcdc-" + capture.slot.name(), AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(ResourceType.TOPIC, capture.offsetsTopic, AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE,
                AclOperation.DESCRIBE_CONFIGS);
        try (PgcdcProcess service = capture.start(directory, "exactly-once")) {
            capture.writeAndAwaitConfirmed(service);
            assertThat(TopicReader.readCommitted(broker).readAll(capture.topic)).as("committed records in %s", capture.topic).hasSize(3);
            assertThat(service.stdout()).as("the service's log").doesNotContain("cannot read the configuration of the offsets topic");
            service.stopGracefully(Duration.ofSeconds(60));
        } finally {
            capture.slot.drop();
        }
    }

    @Test
    void withoutWriteOnItsTopicTheServiceStopsNamingTheGrant(PostgresDatabase postgres) {
        Capture capture = new Capture(postgres);
        allow(ResourceType.TOPIC, capture.topic, AclOperation.DESCRIBE);
        try (PgcdcProcess service = capture.start(directory, "no-write")) {
            capture.write();
            assertThat(service.awaitExit(Duration.ofSeconds(90))).as("exit code\n%s", service.tail()).isEqualTo(FAILED);
            assertThat(service.stderr()).as("standard error").startsWith("pgcdc: failed:").contains("grant it WRITE (and DESCRIBE)");
        } finally {
            capture.slot.drop();
        }
    }

    @Test
    void exactlyOnceWithoutTheTransactionalIdAclTheServiceStopsNamingIt(PostgresDatabase postgres) {
        Capture capture = new Capture(postgres, "pgcdc.kafka.exactly-once = true");
        allow(ResourceType.TOPIC, capture.topic, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(ResourceType.TOPIC, capture.offsetsTopic, AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE,
                AclOperation.DESCRIBE_CONFIGS);
        PgcdcProcess.Outcome outcome = PgcdcProcess.execute(directory, "no-transactional-id", Duration.ofSeconds(90), "run", "--config",
                capture.config.writeTo(directory).toString());
        try {
            assertThat(outcome.exitCode()).as("%s", outcome).isEqualTo(FAILED);
            assertThat(outcome.errorLines()).as("%s", outcome).singleElement().asString().startsWith("pgcdc: cannot start:")
                    .contains("TransactionalIdAuthorizationException", "grant WRITE on the transactional id"); // the id itself is not named
        } finally {
            capture.slot.drop();
        }
    }

    /** Gives {@code pgcdc} these operations on the resource named {@code name}. */
    private static void allow(ResourceType type, String name, AclOperation... operations) {
        List<AclBinding> bindings = new ArrayList<>();
        for (AclOperation operation : operations) {
            bindings.add(new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                    new AccessControlEntry(PRINCIPAL, "*", operation, AclPermissionType.ALLOW)));
        }
        try (Admin admin = broker.admin()) {
            admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("cannot create the ACLs " + bindings + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A table, its topic (created by the admin), a compacted offsets topic of its own, a slot, and the service's configuration as {@code pgcdc}. */
    private static final class Capture {
        final PostgresDatabase postgres;
        final String table = TestNames.unique("acl");
        final String topic = broker.createTopic(TestNames.unique("acl"));
        final String offsetsTopic = broker.createTopic(TestNames.unique("acl_offsets"), 10, Map.of("cleanup.policy", "compact"));
        final ServiceConfig config;
        final ReplicationSlot slot;

        Capture(PostgresDatabase postgres, String... extraLines) {
            this.postgres = postgres;
            postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY)");
            config = ServiceConfig.of(postgres, broker).publication(table + "_pub", true).slot(TestNames.unique("acl"), true)
                    .table(table, topic)
                    .with("pgcdc.kafka.sasl { mechanism = SCRAM-SHA-512, username = pgcdc, password = \"" + PASSWORD + "\" }")
                    .with("pgcdc.kafka.offsets-topic = \"" + offsetsTopic + "\"")
                    .with("pgcdc.kafka.request-timeout = 10s")
                    .with("pgcdc.kafka.delivery-timeout = 30s");
            for (String line : extraLines) {
                config.with(line);
            }
            slot = new ReplicationSlot(postgres, config.slot());
        }

        PgcdcProcess start(Path directory, String name) {
            PgcdcProcess service = PgcdcProcess.run(config.writeTo(directory), directory, name);
            try {
                slot.awaitStreamingBy(service, Duration.ofSeconds(60));
            } catch (RuntimeException | AssertionError e) {
                service.close();
                throw e;
            }
            return service;
        }

        void write() {
            postgres.execute("INSERT INTO " + table + " VALUES (1)", "INSERT INTO " + table + " VALUES (2)",
                    "INSERT INTO " + table + " VALUES (3)");
        }

        void writeAndAwaitConfirmed(PgcdcProcess service) {
            write();
            slot.awaitConfirmed(ReplicationSlot.currentWalLsn(postgres), service, Duration.ofSeconds(60));
        }
    }
}
