package dev.pgcdc.postgres.slot;

import dev.pgcdc.postgres.connection.ConnectionFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * While a logical slot is created on a standby: asks the primary every interval to log its running
 * transactions ({@code pg_log_standby_snapshot()}), the WAL record the standby's slot creation waits
 * for. Without it the primary's background writer logs one every 15 s, and only when the primary wrote
 * something since the last one: on a quiet primary the creation would wait until the next write. A
 * failure is logged once and the requests go on (a refused privilege ends them); the slot creation
 * waits either way. A daemon thread of its own, {@code pgcdc-standby-snapshot}, ended by {@link #close()}.
 */
public final class RunningTransactionsRequests implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunningTransactionsRequests.class);

    private final ConnectionFactory primary;
    private final Duration interval;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread thread;

    private RunningTransactionsRequests(ConnectionFactory primary, Duration interval) {
        this.primary = primary;
        this.interval = interval;
        this.thread = new Thread(this::run, "pgcdc-standby-snapshot");
        thread.setDaemon(true);
    }

    /** Starts asking the primary reached through {@code primary} every {@code interval}. */
    public static RunningTransactionsRequests start(ConnectionFactory primary, Duration interval) {
        RunningTransactionsRequests requests = new RunningTransactionsRequests(primary, interval);
        requests.thread.start();
        return requests;
    }

    private void run() {
        boolean reported = false;
        do {
            try (Connection connection = primary.openCatalog(); Statement statement = connection.createStatement()) {
                do {
                    statement.execute("SELECT pg_catalog.pg_log_standby_snapshot()");
                } while (!closed.await(interval.toMillis(), TimeUnit.MILLISECONDS));
                return;
            } catch (SQLException e) {
                if ("42501".equals(e.getSQLState())) {
                    LOG.info("cannot ask the primary ({}) to log its running transactions so that the slot on the standby is made sooner: {}. "
                            + "The slot is made once the primary logs them by itself (every 15 s while it writes); to let pgcdc ask, run "
                            + "there: GRANT EXECUTE ON FUNCTION pg_log_standby_snapshot() TO <pgcdc's role>;", primary.description(), e.getMessage());
                    return;
                }
                if (!reported) {
                    LOG.info("cannot ask the primary ({}) to log its running transactions ({}); trying again every {}", primary.description(),
                            e.getMessage(), interval);
                    reported = true;
                }
            } catch (InterruptedException e) {
                return;
            }
            try {
                if (closed.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        } while (true);
    }

    /** Stops asking; waits a moment for the thread to end (a daemon: one stuck in a connection attempt ends with it). */
    @Override
    public void close() {
        closed.countDown();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
