package dev.pgcdc.examples.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.PgcdcProcess.Outcome;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handler of docs/handler-guide.md deployed as an operator would: its compiled classes and its
 * {@code META-INF/services} entry packed in a jar of their own, added to the class path of the
 * packaged service ({@code java -cp pgcdc.jar:audit-trail-handler.jar dev.pgcdc.app.Main run}),
 * selected with {@code pgcdc.handler.name = audit-trail}; and without that jar, the name is unknown.
 */
@TestEnvironment
class AuditTrailInServiceExampleIT {

    private static final String SERVICE_ENTRY = "META-INF/services/dev.pgcdc.api.handler.ChangeHandlerProvider";
    private static final String PACKAGE_DIRECTORY = "dev/pgcdc/examples/audit";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service's output
    Path directory;

    @Test
    void theHandlerJarOnTheServiceClassPathIsFoundByNameAndConfiguredFromItsSection(PostgresDatabase postgres, KafkaCluster kafka)
            throws Exception {
        String table = TestNames.unique("customers");
        postgres.execute("CREATE TABLE " + table + " (id bigserial PRIMARY KEY, name text NOT NULL, email text)");
        String auditTopic = kafka.createTopic(TestNames.unique("audit"));
        ServiceConfig config = capture(postgres, kafka, table).with("""
                pgcdc.handler {
                  name = audit-trail
                  audit-trail { topic = "%s" }
                }
                """.formatted(auditTopic));
        Path file = config.writeTo(directory);

        try (PgcdcProcess service = PgcdcProcess.startWithPlugins(directory, "audit", List.of(exampleHandlerJar()),
                "run", "--config", file.toString())) {
            service.awaitLogLine("streaming; started in", Duration.ofSeconds(60));
            postgres.execute("INSERT INTO " + table + " (name) VALUES ('ada')",
                    "UPDATE " + table + " SET email = 'ada@example.com' WHERE id = 1",
                    "DELETE FROM " + table + " WHERE id = 1");

            List<ConsumerRecord<String, String>> records = kafka.awaitRecords(auditTopic, 3, Duration.ofSeconds(60));
            assertThat(records).extracting(ConsumerRecord::value).containsExactly(
                    "INSERT public." + table + " id=1",
                    "UPDATE public." + table + " id=1",
                    "DELETE public." + table + " id=1");
            assertThat(records).extracting(ConsumerRecord::key).containsOnly("public." + table);
            service.stopGracefully(Duration.ofSeconds(60));
        } finally {
            postgres.dropReplicationSlotIfExists(config.slot());
        }
    }

    @Test
    void withoutTheJarTheNameIsUnknownAndTheHandlersFoundAreListed(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = TestNames.unique("customers");
        postgres.execute("CREATE TABLE " + table + " (id bigserial PRIMARY KEY, name text NOT NULL)");
        Path file = capture(postgres, kafka, table).with("pgcdc.handler.name = audit-trail").writeTo(directory);

        Outcome outcome = PgcdcProcess.execute(directory, "validate", Duration.ofSeconds(60), "validate", "--config", file.toString());

        assertThat(outcome.exitCode()).as("%s", outcome).isEqualTo(3);
        assertThat(outcome.stdout() + outcome.stderr()).as("%s", outcome)
                .contains("pgcdc.handler.name = \"audit-trail\": no handler of that name is on the class path; "
                        + "found: json (dev.pgcdc.json.JsonChangeHandlerProvider)");
    }

    /** The service configuration capturing {@code public.<table>}, its publication and slot created by the service. */
    private static ServiceConfig capture(PostgresDatabase postgres, KafkaCluster kafka, String table) {
        return ServiceConfig.of(postgres, kafka).publication(table + "_pub", true).slot(TestNames.unique("audit"), true)
                .table(table, kafka.createTopic(TestNames.unique("customers")));
    }

    /** The example's compiled classes (not its tests) and its service entry, in a jar of their own. */
    private Path exampleHandlerJar() throws IOException, URISyntaxException {
        Path testClasses = Path.of(getClass().getProtectionDomain().getCodeSource().getLocation().toURI());
        Path jar = directory.resolve("audit-trail-handler.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> classes = Files.list(testClasses.resolve(PACKAGE_DIRECTORY))) {
            for (Path file : classes.filter(AuditTrailInServiceExampleIT::isExampleClass).toList()) {
                add(out, PACKAGE_DIRECTORY + "/" + file.getFileName(), file);
            }
            add(out, SERVICE_ENTRY, testClasses.resolve(SERVICE_ENTRY));
        }
        return jar;
    }

    /** A class of the example, not of a test of it ({@code *IT}, with its nested classes). */
    private static boolean isExampleClass(Path file) {
        String name = file.getFileName().toString();
        String topLevel = name.replaceFirst("[$.].*", "");
        return name.endsWith(".class") && !topLevel.endsWith("IT");
    }

    private static void add(JarOutputStream jar, String name, Path file) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        Files.copy(file, jar);
        jar.closeEntry();
    }
}
