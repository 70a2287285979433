package dev.pgcdc.app.it;

import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One test's own table, publication, slot and topic in the shared PostgreSQL and Kafka, and a
 * service configuration file for them.
 */
final class DemoSetup {

    final PostgresDatabase postgres;
    final KafkaCluster kafka;
    final String table = TestNames.unique("customers");
    final String publication = table + "_pub";
    final String slot = TestNames.unique("slot");
    final String topic = TestNames.unique("customers");

    DemoSetup(PostgresDatabase postgres, KafkaCluster kafka) {
        this.postgres = postgres;
        this.kafka = kafka;
        postgres.execute("CREATE TABLE " + table + " (id bigserial PRIMARY KEY, name text NOT NULL, email text)",
                "CREATE PUBLICATION " + publication + " FOR TABLE " + table);
        kafka.createTopic(topic);
    }

    /** A configuration file for the service on this setup, HTTP on a free port of 127.0.0.1, plus {@code extra} HOCON. */
    Path writeConfig(Path directory, String extra) throws IOException {
        Path file = directory.resolve(slot + ".conf");
        Files.writeString(file, """
                pgcdc {
                  postgres {
                    host = "%s"
                    port = %d
                    database = "%s"
                    user = "%s"
                    password = "%s"
                  }
                  publication { name = %s, tables = [ { name = %s } ] }
                  slot { name = %s, create-if-not-exists = true }
                  kafka {
                    bootstrap-servers = "%s"
                    table-topic-mapping { "public.%s" = "%s" }
                  }
                  http { host = "127.0.0.1", port = 0 }
                  metrics.slot-interval = 500ms
                  pipeline.shutdown-timeout = 20s
                }
                """.formatted(postgres.host(), postgres.port(), postgres.database(), postgres.user(), postgres.password(),
                publication, table, slot, kafka.bootstrapServers(), table, topic) + extra);
        return file;
    }

    void dropSlot() {
        postgres.dropReplicationSlotIfExists(slot);
    }
}
