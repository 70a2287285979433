package dev.pgcdc.postgres;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs a {@link PostgresSource} in a test: polls on the test thread, optionally acknowledging what it got. */
final class SourceHarness implements AutoCloseable {

    final PostgresSource source;
    private final boolean autoAcknowledge;

    SourceHarness(PostgresSourceSettings settings, boolean autoAcknowledge) {
        this.source = new PostgresSource(settings);
        this.autoAcknowledge = autoAcknowledge;
        source.start();
    }

    static SourceHarness start(PostgresSourceSettings settings) {
        return new SourceHarness(settings, true);
    }

    /** Settings for the fixture's database, publication and slot, the publication and slot created by the source. */
    static PostgresSourceSettings.Builder settings(CaptureFixture capture) {
        return settings(capture.db(), capture.publication(), capture.slot());
    }

    /** Settings for the test database with publication and slot created by the source. */
    static PostgresSourceSettings.Builder settings(PostgresDatabase db, String publication, String slot) {
        return PostgresSourceSettings.builder()
                .host(db.host()).port(db.port()).database(db.database()).user(db.user()).password(db.password())
                .sslMode(SslMode.DISABLE)
                .publicationName(publication).publicationCreateIfNotExists(true)
                .slotName(slot).slotCreateIfNotExists(true)
                .statusInterval(Duration.ofMillis(200))
                .reconnectBackoff(Duration.ofMillis(200)).reconnectMaxBackoff(Duration.ofSeconds(2));
    }

    /** Polls until {@code count} events arrived; fails after {@code timeout} with what it got. */
    List<ChangeEvent> take(int count, Duration timeout) throws InterruptedException {
        List<ChangeEvent> events = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " events within " + timeout + ", got " + events.size() + ": "
                        + events.subList(Math.max(0, events.size() - 5), events.size()));
            }
            List<ChangeEvent> batch = source.poll(Math.min(1000, count - events.size()), Duration.ofMillis(100));
            if (autoAcknowledge) {
                batch.forEach(e -> source.acknowledge(e.position()));
            }
            events.addAll(batch);
        }
        return events;
    }

    /** Polls for {@code duration}, returning whatever arrived. */
    List<ChangeEvent> pollFor(Duration duration) throws InterruptedException {
        List<ChangeEvent> events = new ArrayList<>();
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            List<ChangeEvent> batch = source.poll(1000, Duration.ofMillis(50));
            if (autoAcknowledge) {
                batch.forEach(e -> source.acknowledge(e.position()));
            }
            events.addAll(batch);
        }
        return events;
    }

    Lsn confirmed() {
        return source.confirmedLsn();
    }

    @Override
    public void close() {
        source.close();
    }
}
