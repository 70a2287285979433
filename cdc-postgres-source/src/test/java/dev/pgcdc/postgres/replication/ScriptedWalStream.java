package dev.pgcdc.postgres.replication;

import dev.pgcdc.api.position.Lsn;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link WalStream} that plays a script: messages, keepalives and failures, and records the status
 * updates sent. Scripted before the reader starts; read by the reader thread, observed by the test's.
 */
final class ScriptedWalStream implements WalStream {

    private static final Object GAP = new Object();

    private final ArrayDeque<Object[]> script = new ArrayDeque<>();
    final List<Lsn> statusUpdates = new CopyOnWriteArrayList<>();
    private Supplier<Object[]> endless;
    private volatile Lsn lastReceive;
    volatile boolean closed;

    ScriptedWalStream(Lsn start) {
        this.lastReceive = start;
    }

    ScriptedWalStream message(long lsn, ByteBuffer message) {
        script.add(new Object[] {lsn, message});
        return this;
    }

    /** A keepalive with the server's WAL end. */
    ScriptedWalStream keepalive(long walEnd) {
        script.add(new Object[] {walEnd, null});
        return this;
    }

    /** Nothing pending at this point: one read returns null (the next message has not arrived yet). */
    ScriptedWalStream gap() {
        script.add(new Object[] {GAP});
        return this;
    }

    /**
     * The next read waits (up to 30 s) until {@code released} opens, as pgjdbc's read does while the next message is
     * on its way: the reader is inside a read round meanwhile.
     */
    ScriptedWalStream hold(CountDownLatch released) {
        script.add(new Object[] {released});
        return this;
    }

    ScriptedWalStream failure(String sqlState) {
        script.add(new Object[] {new SQLException("scripted failure", sqlState)});
        return this;
    }

    /** After the script: messages from {@code next} forever. */
    ScriptedWalStream thenEndless(Supplier<Object[]> next) {
        this.endless = next;
        return this;
    }

    @Override
    public ByteBuffer readPending() throws SQLException {
        while (true) {
            Object[] step = script.poll();
            if (step == null && endless != null) {
                step = endless.get();
            }
            if (step == null) {
                return null;
            }
            if (step[0] == GAP) {
                return null;
            }
            if (step[0] instanceof SQLException failure) {
                throw failure;
            }
            if (step[0] instanceof CountDownLatch released) {
                awaitRelease(released);
                continue;
            }
            long lsn = (Long) step[0];
            if (step[1] == null) {
                if (lsn > lastReceive.value()) {
                    lastReceive = Lsn.of(lsn);
                }
                continue;
            }
            lastReceive = Lsn.of(lsn);
            return (ByteBuffer) step[1];
        }
    }

    private static void awaitRelease(CountDownLatch released) {
        try {
            released.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Lsn lastReceiveLsn() {
        return lastReceive;
    }

    @Override
    public void sendStatus(Lsn flushed) {
        statusUpdates.add(flushed);
    }

    @Override
    public void stop() {
        closed = true;
    }

    @Override
    public void close() {
        closed = true;
    }
}
