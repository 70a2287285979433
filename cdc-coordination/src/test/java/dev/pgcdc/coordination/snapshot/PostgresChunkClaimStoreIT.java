package dev.pgcdc.coordination.snapshot;

import static dev.pgcdc.coordination.snapshot.Plans.ORDERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.ChunkClaim;
import dev.pgcdc.api.coordination.ChunkRange;
import dev.pgcdc.api.coordination.JobProgress;
import dev.pgcdc.api.coordination.SnapshotJob;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import dev.pgcdc.testkit.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Jobs, plans, claims, takeovers and progress of {@link PostgresChunkClaimStore} against a real PostgreSQL. */
class PostgresChunkClaimStoreIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Duration LONG_TIMEOUT = Duration.ofMinutes(5);
    private static final String SNAPSHOT_ID = "00000003-00000002-1";
    private static final Lsn CONSISTENT_POINT = Lsn.parse("16/B374D848");

    private final PostgresDatabase db = TestPostgres.shared();
    private final String schema = TestNames.unique("coord");
    private final String job = TestNames.unique("job");
    private final PostgresChunkClaimStore a = store();
    private final PostgresChunkClaimStore b = store();

    @AfterEach
    void dropSchema() {
        db.execute("DROP SCHEMA IF EXISTS " + CoordinationTables.quote(schema) + " CASCADE");
    }

    @Test
    void jobGoesFromPlanningToRunningToCompleted() {
        SnapshotJob opened = a.openJob(job, "a");
        assertThat(opened.state()).isEqualTo(SnapshotJob.State.PLANNING);
        assertThat(opened.planner()).isEqualTo("a");
        assertThat(opened.snapshotId()).isEmpty();
        assertThat(opened.consistentPoint()).isEmpty();
        assertThat(b.openJob(job, "b")).isEqualTo(opened);
        assertThat(b.claimNext(job, "b", LONG_TIMEOUT)).as("no chunk before the plan").isEmpty();

        a.savePlan(job, "a", SNAPSHOT_ID, CONSISTENT_POINT, Plans.keyChunks(job, ORDERS, 3));
        SnapshotJob running = b.job(job).orElseThrow();
        assertThat(running.state()).isEqualTo(SnapshotJob.State.RUNNING);
        assertThat(running.snapshotId()).contains(SNAPSHOT_ID);
        assertThat(running.consistentPoint()).contains(CONSISTENT_POINT);
        assertThat(running.updatedAt()).isAfterOrEqualTo(running.createdAt()).isAfterOrEqualTo(opened.updatedAt());
        a.savePlan(job, "a", "other", Lsn.parse("17/0"), Plans.keyChunks(job, ORDERS, 5));
        assertThat(a.job(job)).contains(running);
        assertThat(a.progress(job).totalChunks()).as("a job that has a plan keeps it").isEqualTo(3);

        Chunk first = a.claimNext(job, "a", LONG_TIMEOUT).orElseThrow();
        Chunk second = b.claimNext(job, "b", LONG_TIMEOUT).orElseThrow();
        assertThat(List.of(first, second)).containsExactly(Plans.keyChunk(job, ORDERS, 1), Plans.keyChunk(job, ORDERS, 2));
        assertThat(a.markDone(first, "a", 10)).isTrue();
        assertThat(a.completeIfDone(job)).isFalse();
        assertThat(b.markDone(second, "b", 10)).isTrue();
        Chunk third = b.claimNext(job, "b", LONG_TIMEOUT).orElseThrow();
        assertThat(a.claimNext(job, "a", LONG_TIMEOUT)).as("every chunk is done or claimed by a live instance").isEmpty();
        assertThat(b.markDone(third, "b", 7)).isTrue();
        assertThat(a.completeIfDone(job)).isTrue();

        SnapshotJob completed = a.job(job).orElseThrow();
        assertThat(completed.state()).isEqualTo(SnapshotJob.State.COMPLETED);
        assertThat(completed.updatedAt()).isAfterOrEqualTo(running.updatedAt());
        assertThat(b.completeIfDone(job)).as("already completed").isTrue();
        assertThat(a.progress(job)).isEqualTo(new JobProgress(1, 1, 3, 3, 27));
        assertThat(a.openJob(job, "c")).isEqualTo(completed);
    }

    @Test
    void keepsEveryRangeAndTableNameIntact() {
        TableId spaced = new TableId("My \"Schema\"", "Order Items.v2");
        List<Chunk> plan = List.of(
                new Chunk(job, 1, spaced, new ChunkRange.KeyRange(List.of("Region", "id"), List.of(), List.of("a,b", "{1}"))),
                new Chunk(job, 2, spaced, new ChunkRange.KeyRange(List.of("Region", "id"), List.of("a,b", "{1}"),
                        List.of("quote \" and 'single' \\ back", "NULL"))),
                new Chunk(job, 3, spaced, new ChunkRange.KeyRange(List.of("Region", "id"), List.of("ünïcödé ✓", ""), List.of())),
                new Chunk(job, 4, new TableId("public", "heap"), new ChunkRange.BlockRange(0, 128)),
                new Chunk(job, 5, new TableId("public", "heap"), new ChunkRange.BlockRange(128, 128)),
                new Chunk(job, 6, spaced, new ChunkRange.BlockRange(7, 9, Optional.of(new TableId("My \"Schema\"", "Order Items 2026")))));
        a.openJob(job, "a");
        a.savePlan(job, "a", null, CONSISTENT_POINT, plan);
        assertThat(a.job(job).orElseThrow().snapshotId()).isEmpty();

        List<Chunk> claimed = new ArrayList<>();
        for (Optional<Chunk> next = b.claimNext(job, "b", LONG_TIMEOUT); next.isPresent(); next = b.claimNext(job, "b", LONG_TIMEOUT)) {
            claimed.add(next.get());
        }
        assertThat(claimed).isEqualTo(plan);
    }

    @Test
    void everyChunkIsClaimedExactlyOnceUnderContention() throws Exception {
        int chunkCount = 200;
        int threads = 4;
        a.openJob(job, "planner");
        a.savePlan(job, "planner", SNAPSHOT_ID, CONSISTENT_POINT, Plans.keyChunks(job, ORDERS, chunkCount));

        Map<Long, String> owners = new ConcurrentHashMap<>();
        List<Long> duplicates = new ArrayList<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> claimedPerThread = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String instance = "instance-" + t;
                PostgresChunkClaimStore store = store();
                claimedPerThread.add(pool.submit(() -> {
                    start.await();
                    int claimed = 0;
                    for (Optional<Chunk> next = store.claimNext(job, instance, LONG_TIMEOUT); next.isPresent();
                         next = store.claimNext(job, instance, LONG_TIMEOUT)) {
                        if (owners.putIfAbsent(next.get().chunkId(), instance) != null) {
                            synchronized (duplicates) {
                                duplicates.add(next.get().chunkId());
                            }
                        }
                        assertThat(store.markDone(next.get(), instance, next.get().chunkId())).isTrue();
                        claimed++;
                    }
                    return claimed;
                }));
            }
            int total = 0;
            for (Future<Integer> claimed : claimedPerThread) {
                total += claimed.get(2, TimeUnit.MINUTES);
            }
            assertThat(total).isEqualTo(chunkCount);
        } finally {
            pool.shutdownNow();
        }
        assertThat(duplicates).isEmpty();
        assertThat(owners.keySet()).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, chunkCount).boxed().toList());
        long rows = LongStream.rangeClosed(1, chunkCount).sum();
        assertThat(a.progress(job)).isEqualTo(new JobProgress(1, 1, chunkCount, chunkCount, rows));
        assertThat(a.completeIfDone(job)).isTrue();
    }

    @Test
    void aClaimSkipsAChunkLockedByAnotherTransactionInsteadOfWaiting() throws Exception {
        a.openJob(job, "a");
        a.savePlan(job, "a", SNAPSHOT_ID, CONSISTENT_POINT, Plans.keyChunks(job, ORDERS, 2));
        try (Connection locker = db.connect(); Statement statement = locker.createStatement()) {
            locker.setAutoCommit(false);
            statement.execute("SELECT * FROM " + new CoordinationTables(schema).chunks() + " WHERE chunk_id = 1 FOR UPDATE");
            PostgresChunkClaimStore impatient = new PostgresChunkClaimStore(new LockTimeout(TestConnections.superuser(db)), schema);
            assertThat(impatient.claimNext(job, "b", LONG_TIMEOUT)).contains(Plans.keyChunk(job, ORDERS, 2));
            assertThat(impatient.claimNext(job, "b", LONG_TIMEOUT)).isEmpty();
            locker.rollback();
        }
        assertThat(b.claimNext(job, "b", LONG_TIMEOUT)).contains(Plans.keyChunk(job, ORDERS, 1));
    }

    @Test
    void anInstanceFrozenInsideATransactionLosesItsSessionSoItsChunksAreTakenOver() throws Exception {
        a.openJob(job, "a");
        a.savePlan(job, "a", SNAPSHOT_ID, CONSISTENT_POINT, Plans.keyChunks(job, ORDERS, 1));
        Chunk chunk = a.claimNext(job, "a", TIMEOUT).orElseThrow();
        CoordinationTables tables = new CoordinationTables(schema);
        Transactions frozen = new Transactions(TestConnections.superuser(db), tables, Duration.ofSeconds(1));
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch thaw = new CountDownLatch(1);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            // "a" refreshes its heartbeat, which locks its chunk's row, and stops answering before the commit
            Future<Integer> heartbeat = thread.submit(() -> frozen.run("refresh a frozen heartbeat", connection -> {
                int refreshed = new ChunkClaims(tables).heartbeat(connection, job, "a");
                locked.countDown();
                try {
                    thaw.await(2, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return refreshed;
            }));
            assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();
            Chunk takenOver = await("the frozen session ended and its chunk taken over").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).until(() -> b.claimNext(job, "b", TIMEOUT), Optional::isPresent).orElseThrow();
            assertThat(takenOver).isEqualTo(chunk);
            thaw.countDown();
            assertThatThrownBy(() -> heartbeat.get(30, TimeUnit.SECONDS)).as("the thawed instance's commit")
                    .hasCauseInstanceOf(ClaimStoreException.class);
        } finally {
            thread.shutdownNow();
            assertThat(thread.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            frozen.close();
        }
        assertThat(a.markDone(chunk, "a", 5)).as("the frozen owner lost the claim").isFalse();
        assertThat(b.markDone(chunk, "b", 5)).isTrue();
    }

    @Test
    void aStaleClaimIsTakenOverAndItsFormerOwnerCannotMarkItDone() {
        a.openJob(job, "a");
        a.savePlan(job, "a", SNAPSHOT_ID, CONSISTENT_POINT, Plans.keyChunks(job, ORDERS, 1));
        Chunk chunk = a.claimNext(job, "a", TIMEOUT).orElseThrow();
        assertThat(b.claimNext(job, "b", LONG_TIMEOUT)).as("a fresh claim is not taken over").isEmpty();

        Chunk takenOver = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> b.claimNext(job, "b", TIMEOUT), Optional::isPresent).orElseThrow();
        assertThat(takenOver).isEqualTo(chunk);
        assertThat(a.markDone(chunk, "a", 5)).as("the former owner lost the claim").isFalse();
        assertThat(a.progress(job).doneChunks()).isZero();
        a.heartbeat(job, "a");
        a.release(chunk, "a");
        assertThat(a.claimNext(job, "a", LONG_TIMEOUT)).as("neither a heartbeat nor a release of the former owner gives it back").isEmpty();
        assertThat(b.markDone(takenOver, "b", 5)).isTrue();
        assertThat(b.markDone(takenOver, "b", 5)).as("a repeated mark by the owner").isTrue();
        assertThat(a.progress(job)).isEqualTo(new JobProgress(1, 1, 1, 1, 5));
    }

    @Test
    void aClaimTellsWhoHeldTheChunkBeforeAfterATakeOverAndAfterARelease() {
        a.openJob(job, "a");
        a.savePlan(job, "a", SNAPSHOT_ID, CONSISTENT_POINT, Plans.keyChunks(job, ORDERS, 1));
        assertThat(a.remembersOwners()).isTrue();
        ChunkClaim first = a.claim(job, "a", TIMEOUT).orElseThrow();
        assertThat(first.previousOwner()).as("a chunk nobody held").isEmpty();
        ChunkClaim takenOver = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> b.claim(job, "b", TIMEOUT), Optional::isPresent).orElseThrow();
        assertThat(takenOver.chunk()).isEqualTo(first.chunk());
        assertThat(takenOver.previousOwner()).as("the owner whose claim was taken over").contains("a");

        b.release(takenOver.chunk(), "b");
        ChunkClaim again = a.claim(job, "a", LONG_TIMEOUT).orElseThrow();
        assertThat(again.chunk()).isEqualTo(first.chunk());
        assertThat(again.previousOwner()).as("a released chunk keeps its last owner").contains("b");
    }

    @Test
    void aHeartbeatKeepsTheClaims() {
        a.openJob(job, "a");
        a.savePlan(job, "a", SNAPSHOT_ID, CONSISTENT_POINT, Plans.keyChunks(job, ORDERS, 2));
        Chunk first = a.claimNext(job, "a", TIMEOUT).orElseThrow();
        Chunk second = a.claimNext(job, "a", TIMEOUT).orElseThrow();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            a.heartbeat(job, "a");
            return b.claimNext(job, "b", TIMEOUT).isEmpty();
        });
        assertThat(a.markDone(first, "a", 1)).isTrue();
        assertThat(a.markDone(second, "a", 1)).isTrue();
    }

    @Test
    void aReleasedChunkIsPendingAgainButOnlyItsOwnerReleasesIt() {
        a.openJob(job, "a");
        a.savePlan(job, "a", SNAPSHOT_ID, CONSISTENT_POINT, Plans.keyChunks(job, ORDERS, 1));
        Chunk chunk = a.claimNext(job, "a", LONG_TIMEOUT).orElseThrow();
        b.release(chunk, "b");
        assertThat(b.claimNext(job, "b", LONG_TIMEOUT)).isEmpty();
        a.release(chunk, "a");
        assertThat(b.claimNext(job, "b", LONG_TIMEOUT)).contains(chunk);
        assertThat(a.markDone(chunk, "a", 1)).isFalse();
    }

    @Test
    void aPlannerThatStoppedHeartbeatingIsReplacedAndCannotSaveItsPlan() {
        a.openJob(job, "a");
        assertThat(b.takeOverPlanning(job, "b", TIMEOUT)).as("the planner is alive").isFalse();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            a.heartbeat(job, "a");
            return !b.takeOverPlanning(job, "b", TIMEOUT);
        });
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> b.takeOverPlanning(job, "b", TIMEOUT));
        assertThat(a.job(job).orElseThrow().planner()).isEqualTo("b");
        assertThat(a.job(job).orElseThrow().state()).isEqualTo(SnapshotJob.State.PLANNING);

        assertThatThrownBy(() -> a.savePlan(job, "a", SNAPSHOT_ID, CONSISTENT_POINT, Plans.keyChunks(job, ORDERS, 2)))
                .isInstanceOf(ClaimStoreException.class)
                .hasMessage("instance \"a\" is no longer the planner of snapshot job \"" + job + "\": instance \"b\" took over planning;"
                        + " its plan is not saved");
        b.savePlan(job, "b", SNAPSHOT_ID, CONSISTENT_POINT, Plans.keyChunks(job, ORDERS, 3));
        assertThat(a.progress(job)).isEqualTo(new JobProgress(1, 0, 3, 0, 0));
        assertThat(b.takeOverPlanning(job, "c", Duration.ofMillis(1))).as("a planned job has no planning to take over").isFalse();
    }

    @Test
    void aFailedJobHandsOutNoChunkAndKeepsItsReason() {
        a.openJob(job, "a");
        a.savePlan(job, "a", SNAPSHOT_ID, CONSISTENT_POINT, Plans.keyChunks(job, ORDERS, 2));
        Chunk chunk = a.claimNext(job, "a", LONG_TIMEOUT).orElseThrow();
        b.fail(job, "exported snapshot lost");
        SnapshotJob failed = a.job(job).orElseThrow();
        assertThat(failed.state()).isEqualTo(SnapshotJob.State.FAILED);
        assertThat(failed.failure()).contains("exported snapshot lost");
        assertThat(b.claimNext(job, "b", LONG_TIMEOUT)).isEmpty();
        assertThat(a.completeIfDone(job)).isFalse();
        b.fail(job, "second reason");
        assertThat(a.job(job).orElseThrow().failure()).as("the first reason stays").contains("exported snapshot lost");
        assertThat(a.progress(job)).as("its chunks stay as they are").isEqualTo(new JobProgress(1, 0, 2, 0, 0));
        assertThat(a.markDone(chunk, "a", 1)).isTrue();
    }

    @Test
    void discardDeletesTheJobAndItsChunks() {
        b.discard(job);
        a.openJob(job, "a");
        a.savePlan(job, "a", SNAPSHOT_ID, CONSISTENT_POINT, Plans.keyChunks(job, ORDERS, 4));
        a.claimNext(job, "a", LONG_TIMEOUT).orElseThrow();
        b.discard(job);
        assertThat(a.job(job)).isEmpty();
        assertThat(a.progress(job)).isEqualTo(JobProgress.NONE);
        assertThat(db.queryValue(Long.class, "SELECT count(*) FROM " + new CoordinationTables(schema).chunks())).isZero();

        SnapshotJob again = b.openJob(job, "b");
        assertThat(again.state()).isEqualTo(SnapshotJob.State.PLANNING);
        assertThat(again.planner()).isEqualTo("b");
    }

    @Test
    void progressCountsTablesChunksAndRowsOfDoneChunks() {
        TableId customers = new TableId("sales", "Customers");
        List<Chunk> plan = new ArrayList<>(Plans.keyChunks(job, ORDERS, 3));
        plan.add(new Chunk(job, 4, customers, new ChunkRange.BlockRange(0, 10)));
        plan.add(new Chunk(job, 5, customers, new ChunkRange.BlockRange(10, 20)));
        a.openJob(job, "a");
        assertThat(a.progress(job)).isEqualTo(JobProgress.NONE);
        a.savePlan(job, "a", SNAPSHOT_ID, CONSISTENT_POINT, plan);
        assertThat(a.progress(job)).isEqualTo(new JobProgress(2, 0, 5, 0, 0));

        List<Chunk> claimed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            claimed.add(a.claimNext(job, "a", LONG_TIMEOUT).orElseThrow());
        }
        assertThat(a.markDone(claimed.get(3), "a", 10)).isTrue();
        assertThat(a.markDone(claimed.get(4), "a", 20)).isTrue();
        assertThat(a.markDone(claimed.get(0), "a", 5)).isTrue();
        JobProgress progress = b.progress(job);
        assertThat(progress).isEqualTo(new JobProgress(2, 1, 5, 3, 35));
        assertThat(progress.isDone()).isFalse();
    }

    @Test
    void rejectsANonPositiveClaimTimeout() {
        assertThatThrownBy(() -> a.claimNext(job, "a", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("claim timeout must be positive, was PT0S");
    }

    private PostgresChunkClaimStore store() {
        return new PostgresChunkClaimStore(TestConnections.superuser(db), schema);
    }

    /** Connections that give up on any lock wait after two seconds, so that a claim that would block fails instead. */
    private record LockTimeout(TestConnections delegate) implements dev.pgcdc.api.source.DatabaseConnections {
        @Override
        public Connection open() throws java.sql.SQLException {
            Connection connection = delegate.open();
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET lock_timeout = '2s'");
            }
            return connection;
        }

        @Override
        public String description() {
            return delegate.description();
        }
    }
}
