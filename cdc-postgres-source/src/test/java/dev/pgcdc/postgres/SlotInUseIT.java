package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.replication.PgWalStreamOpener;
import dev.pgcdc.postgres.slot.SlotInUseException;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two sources on one slot, as two instances of a failover group: the second one's start is refused
 * with a {@link SlotInUseException} naming the first one's walsender (by the check before
 * {@code START_REPLICATION}, and by the server's refusal of it), touches neither the first
 * one's spill files nor its stream, and succeeds when tried again once the first one closed.
 */
class SlotInUseIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("inuse");
    private final PostgresDatabase db = capture.db();

    @TempDir
    Path spill;

    @Test
    void aSecondSourceIsRefusedWithoutTouchingTheFirstAndTakesTheSlotOnceItIsFree() throws Exception {
        String table = capture.table();
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)");
        PostgresSourceSettings settings = SourceHarness.settings(capture).tables(table).spillDirectory(spill).build();
        PostgresSource second = new PostgresSource(settings, "second");
        try (SourceHarness first = SourceHarness.start(settings)) {
            Path activeSpillFile = Files.createFile(spill.resolve("pgcdc-" + capture.slot() + "-xid42-1.spill"));
            Integer walsender = db.queryValue(Integer.class, "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?", capture.slot());

            assertThatThrownBy(second::start).isInstanceOfSatisfying(SlotInUseException.class,
                    e -> assertThat(e.activePid()).isEqualTo(walsender.longValue()))
                    .hasMessageContaining("is in use by another walsender (PID " + walsender + ")");
            assertThatThrownBy(second::claimSlot).isInstanceOf(SlotInUseException.class);
            // the race itself: START_REPLICATION refused by the server ("... is active for PID n")
            PgWalStreamOpener opener = new PgWalStreamOpener(new ConnectionFactory(db.host(), db.port(), db.database(), db.user(),
                    db.password(), "disable", null), capture.slot(), capture.publication(), 140000, Duration.ofSeconds(1));
            assertThatThrownBy(() -> opener.open(Lsn.INVALID)).isInstanceOfSatisfying(SlotInUseException.class,
                    e -> assertThat(e.activePid()).isEqualTo(walsender.longValue()));

            assertThat(activeSpillFile).as("the active source's spill file").exists();
            db.execute("INSERT INTO " + table + " VALUES (1)");
            assertThat(first.take(1, Duration.ofSeconds(30))).extracting(e -> e.after().value("id")).containsExactly(1);
        }
        try {
            second.claimSlot();
            second.start(); // the pipeline's start after a claim: nothing left to do
            assertThat(db.queryValue(String.class, "SELECT r.application_name FROM pg_stat_replication r JOIN pg_replication_slots s"
                    + " ON s.active_pid = r.pid WHERE s.slot_name = ?", capture.slot())).isEqualTo("pgcdc second");
            assertThat(Files.list(spill).toList()).as("spill files left by the previous holder, deleted once the slot is held").isEmpty();
            db.execute("INSERT INTO " + table + " VALUES (2)");
            List<ChangeEvent> events = List.of();
            for (long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); events.isEmpty() && System.nanoTime() < deadline; ) {
                events = second.poll(10, Duration.ofMillis(200));
            }
            assertThat(events).extracting(e -> e.after().value("id")).containsExactly(2);
        } finally {
            second.close();
        }
    }
}
