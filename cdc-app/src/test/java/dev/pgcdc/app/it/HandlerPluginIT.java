package dev.pgcdc.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.app.process.PgcdcJvm;
import dev.pgcdc.testkit.process.ChildJvm;
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
 * The worked example of docs/handler-guide.md, deployed as an operator would: the example handler
 * packed in a jar of its own with its META-INF/services entry, added to the class path of
 * {@code pgcdc run}, selected with {@code pgcdc.handler.name = audit-trail}.
 */
@TestEnvironment
class HandlerPluginIT {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service logs
    Path directory;

    @Test
    void aHandlerJarOnTheClassPathIsFoundByNameAndConfiguredFromItsSection(PostgresDatabase postgres, KafkaCluster kafka) throws Exception {
        DemoSetup setup = new DemoSetup(postgres, kafka);
        String auditTopic = kafka.createTopic(TestNames.unique("audit"));
        Path config = setup.writeConfig(directory, """
                pgcdc.handler {
                  name = audit-trail
                  audit-trail { topic = "%s" }
                }
                """.formatted(auditTopic));
        Path handlerJar = exampleHandlerJar();
        try (ChildJvm service = PgcdcJvm.start(directory, "audit", List.of(handlerJar), "run", "--config", config.toString())) {
            service.awaitOutput("streaming; started in", Duration.ofSeconds(60));
            postgres.execute("INSERT INTO " + setup.table + " (name) VALUES ('ada')",
                    "UPDATE " + setup.table + " SET email = 'ada@example.com' WHERE id = 1",
                    "DELETE FROM " + setup.table + " WHERE id = 1");

            List<ConsumerRecord<String, String>> records = kafka.awaitRecords(auditTopic, 3, Duration.ofSeconds(60));
            assertThat(records).extracting(ConsumerRecord::value).containsExactly(
                    "INSERT public." + setup.table + " id=1",
                    "UPDATE public." + setup.table + " id=1",
                    "DELETE public." + setup.table + " id=1");
            assertThat(records).extracting(ConsumerRecord::key).containsOnly("public." + setup.table);
            service.sigterm();
            assertThat(service.awaitExit(Duration.ofSeconds(60))).isZero();
        } finally {
            setup.dropSlot();
        }
    }

    @Test
    void withoutTheJarTheNameIsUnknownAndTheHandlersFoundAreListed(PostgresDatabase postgres, KafkaCluster kafka) throws Exception {
        DemoSetup setup = new DemoSetup(postgres, kafka);
        Path config = setup.writeConfig(directory, "pgcdc.handler.name = audit-trail\n");
        try (ChildJvm validate = PgcdcJvm.start(directory, "validate", List.of(), "validate", "--config", config.toString())) {
            assertThat(validate.awaitExit(Duration.ofSeconds(60))).isEqualTo(3);
            assertThat(validate.output()).contains("pgcdc.handler.name = \"audit-trail\": no handler of that name is on the class path; "
                    + "found: json (dev.pgcdc.json.JsonChangeHandlerProvider)");
        }
    }

    /** The compiled example and its service entry, in a jar of their own. */
    private Path exampleHandlerJar() throws IOException, URISyntaxException {
        Path testClasses = Path.of(getClass().getProtectionDomain().getCodeSource().getLocation().toURI());
        Path jar = directory.resolve("audit-trail-handler.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> classes = Files.list(testClasses.resolve("dev/pgcdc/examples/audit"))) {
            for (Path file : classes.toList()) {
                add(out, "dev/pgcdc/examples/audit/" + file.getFileName(), file);
            }
            String service = "META-INF/services/dev.pgcdc.api.handler.ChangeHandlerProvider";
            add(out, service, testClasses.resolve(service));
        }
        return jar;
    }

    private static void add(JarOutputStream jar, String name, Path file) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        Files.copy(file, jar);
        jar.closeEntry();
    }
}
