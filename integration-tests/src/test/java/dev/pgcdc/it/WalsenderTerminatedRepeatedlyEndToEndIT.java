package dev.pgcdc.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.ConfirmedLsnWatch;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.it.service.StoredTransactions;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.it.service.VersionedRows;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaBroker;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The walsender is terminated again and again while the service streams a steady load to a broker
 * that freezes for a while and then thaws, and a transaction that began long before commits during the
 * freeze: through every reconnect and the stall, the slot's
 * {@code confirmed_flush_lsn}, read every 200 ms, never passes the commit of a transaction Kafka does
 * not hold yet, and in the end every change is in Kafka, in order per key.
 */
@TestEnvironment
class WalsenderTerminatedRepeatedlyEndToEndIT {

    private static final Logger LOG = LoggerFactory.getLogger(WalsenderTerminatedRepeatedlyEndToEndIT.class);
    private static final int KEYS = 500;
    private static final int ROWS_PER_TRANSACTION = 10;
    private static final Duration PACE = Duration.ofMillis(20); // at most 50 transactions a second
    private static final Duration TERMINATE_EVERY = Duration.ofSeconds(3);
    private static final int ROUNDS_WHILE_FROZEN = 4; // the broker stays frozen for 4 rounds of the terminator, about 12 s
    private static final int LONG_TRANSACTION_ROWS = 200; // ids past KEYS, version 0

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service's output
    Path directory;

    @Test
    void theSlotIsNeverConfirmedPastWhatKafkaHoldsWhileWalsendersAreTerminatedAndTheBrokerFreezesAndThaws(PostgresDatabase postgres)
            throws SQLException {
        ScheduledExecutorService terminator = Executors.newSingleThreadScheduledExecutor(runnable -> new Thread(runnable, "walsender-terminator"));
        try (KafkaBroker broker = KafkaBroker.builder().start(); VersionedRows rows = new VersionedRows(postgres, KEYS, ROWS_PER_TRANSACTION)) {
            String topic = broker.createTopic(TestNames.unique("terminated")); // one partition: Kafka holds a prefix of the stream
            ServiceConfig config = ServiceConfig.of(postgres, broker).publication(rows.table() + "_pub", true)
                    .slot(TestNames.unique("terminated"), true).table(rows.table(), topic)
                    .with("pgcdc.handler.json.headers = true")
                    .with("pgcdc.slot.status-interval = 200ms") // confirm often: more chances to confirm too much
                    .with("pgcdc.pipeline.max-in-flight-events = 1000") // while the broker is frozen the source stops reading
                    .with("pgcdc.postgres.reconnect-backoff = 200ms")
                    .with("pgcdc.postgres.reconnect-max-backoff = 2s");
            ReplicationSlot slot = new ReplicationSlot(postgres, config.slot());
            TopicReader reader = TopicReader.of(broker);
            try (PgcdcProcess service = PgcdcProcess.run(config.writeTo(directory), directory, "service");
                 Connection longTransaction = postgres.connect()) {
                slot.awaitStreamingBy(service, Duration.ofSeconds(60));
                ConfirmedLsnWatch watch = ConfirmedLsnWatch.start(slot, reader, topic);
                try {
                    rows.startWriting(PACE);
                    AtomicInteger rounds = new AtomicInteger();
                    AtomicInteger terminations = new AtomicInteger();
                    terminator.scheduleWithFixedDelay(() -> {
                        try {
                            if (slot.terminateWalsender()) {
                                terminations.incrementAndGet();
                            }
                        } catch (RuntimeException e) {
                            LOG.warn("terminating the walsender of {} failed: {}", slot.name(), e.toString()); // the next round tries again
                        }
                        rounds.incrementAndGet(); // whether or not the service had reconnected yet
                    }, TERMINATE_EVERY.toMillis(), TERMINATE_EVERY.toMillis(), TimeUnit.MILLISECONDS);

                    // a transaction that begins now and commits once the broker is frozen: its first changes are older
                    // than what the service confirms meanwhile, which must not let anything confirm past its commit
                    longTransaction.setAutoCommit(false);
                    try (Statement insert = longTransaction.createStatement()) {
                        insert.execute("INSERT INTO " + rows.table() + " (id, version) SELECT g, 0 FROM generate_series("
                                + (KEYS + 1) + ", " + (KEYS + LONG_TRANSACTION_ROWS) + ") g");
                    }
                    service.awaitWhileRunning("records in " + topic + " before the freeze", Duration.ofSeconds(90),
                            () -> reader.endOffsetSum(topic) >= 1000);
                    broker.freeze();
                    longTransaction.commit();
                    int beforeFreeze = rounds.get();
                    service.awaitWhileRunning(ROUNDS_WHILE_FROZEN + " rounds of walsender terminations while the broker is frozen",
                            Duration.ofSeconds(90), () -> rounds.get() >= beforeFreeze + ROUNDS_WHILE_FROZEN);
                    broker.thaw();
                    long atThaw = reader.endOffsetSum(topic);
                    int afterThaw = terminations.get();
                    service.awaitWhileRunning("records and two more terminations after the thaw", Duration.ofSeconds(90),
                            () -> reader.endOffsetSum(topic) >= atThaw + 1000 && terminations.get() >= afterThaw + 2);
                    terminator.shutdownNow();
                    Lsn end = rows.stopWriting();
                    LOG.info("{} changes written, {} walsenders terminated in {} rounds", rows.changes(), terminations.get(), rounds.get());

                    slot.awaitConfirmed(end, service, Duration.ofSeconds(120));
                    List<ChangeRecord> records = reader.readAll(topic);
                    List<String> violations = watch.violations(StoredTransactions.of(records));
                    LOG.info("{} records for {} changes; {} samples of the slot, the highest {}", records.size(), rows.changes(),
                            watch.samples(), watch.highestConfirmed());
                    service.stopGracefully(Duration.ofSeconds(60));

                    assertThat(violations).as("samples of the slot confirmed past a transaction Kafka lacked").isEmpty();
                    assertThat(watch.samples()).as("samples of the slot's confirmed_flush_lsn").isGreaterThan(50);
                    rows.assertEveryVersionInOrder(records, false);
                    assertThat(records.stream().map(record -> record.row().get("id").asInt()).filter(id -> id > KEYS).distinct().count())
                            .as("rows of the long transaction in Kafka").isEqualTo(LONG_TRANSACTION_ROWS);
                } finally {
                    watch.close();
                }
            } finally {
                terminator.shutdownNow();
                slot.drop();
            }
        }
    }
}
