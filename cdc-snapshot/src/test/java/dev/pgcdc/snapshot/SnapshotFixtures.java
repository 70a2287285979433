package dev.pgcdc.snapshot;

import dev.pgcdc.api.coordination.ChunkClaimStore;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.snapshot.Snapshotter;
import dev.pgcdc.coordination.snapshot.PostgresChunkClaimStore;
import dev.pgcdc.postgres.PostgresSourceSettings;
import dev.pgcdc.postgres.SslMode;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.snapshot.PgSnapshotExporter;
import dev.pgcdc.postgres.snapshot.PgTableCatalog;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The real pieces a snapshot test wires: the source's connections, exporter and catalog, the PostgreSQL claim store. */
final class SnapshotFixtures {

    private SnapshotFixtures() {
    }

    static ConnectionFactory connections(PostgresDatabase db) {
        return new ConnectionFactory(db.host(), db.port(), db.database(), db.user(), db.password(), "disable", null);
    }

    static ChunkClaimStore postgresStore(PostgresDatabase db, String schema) {
        return new PostgresChunkClaimStore(connections(db), schema);
    }

    /** Fast timings for tests: claims time out after 3 s, heartbeats every 500 ms, progress every second. */
    static SnapshotSettings settings(SnapshotSettings.Mode mode, String instanceId, int chunkSize, String... tables) {
        return SnapshotSettings.defaults(mode, java.util.Arrays.stream(tables).map(TableId::parse).toList())
                .withChunkSize(chunkSize).withInstanceId(instanceId)
                .withTiming(Duration.ofSeconds(3), Duration.ofMillis(500), Duration.ofSeconds(1));
    }

    static ChunkedSnapshotter snapshotter(PostgresDatabase db, SnapshotSettings settings, ChunkClaimStore store, String slot) {
        ConnectionFactory connections = connections(db);
        return new ChunkedSnapshotter(settings, store, new PgSnapshotExporter(connections), connections, new PgTableCatalog(), slot);
    }

    static PostgresSourceSettings.Builder sourceSettings(PostgresDatabase db, String publication, String slot) {
        return PostgresSourceSettings.builder()
                .host(db.host()).port(db.port()).database(db.database()).user(db.user()).password(db.password())
                .sslMode(SslMode.DISABLE)
                .publicationName(publication).publicationCreateIfNotExists(true)
                .slotName(slot).slotCreateIfNotExists(true)
                .statusInterval(Duration.ofMillis(200))
                .reconnectBackoff(Duration.ofMillis(200)).reconnectMaxBackoff(Duration.ofSeconds(2));
    }

    /** Polls (without acknowledging) until the snapshot is complete or {@code count} events arrived; fails after {@code timeout}. */
    static List<ChangeEvent> take(Snapshotter snapshot, int count, Duration timeout) throws InterruptedException {
        List<ChangeEvent> events = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " events within " + timeout + ", got " + events.size());
            }
            events.addAll(snapshot.poll(count - events.size(), Duration.ofMillis(100)));
        }
        return events;
    }

    /** Polls and acknowledges everything until the snapshot is complete; fails after {@code timeout}. */
    static List<ChangeEvent> drain(Snapshotter snapshot, Duration timeout) throws InterruptedException {
        List<ChangeEvent> events = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!snapshot.isComplete()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("snapshot not complete within " + timeout + ", got " + events.size() + " events");
            }
            List<ChangeEvent> batch = snapshot.poll(500, Duration.ofMillis(100));
            batch.forEach(event -> snapshot.acknowledge(event.position()));
            events.addAll(batch);
        }
        return events;
    }
}
