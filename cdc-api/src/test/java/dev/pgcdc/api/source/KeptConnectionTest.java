package dev.pgcdc.api.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class KeptConnectionTest {

    /** A fake of our port: hands out numbered connections that know whether they were closed. */
    private static final class FakeConnections implements DatabaseConnections {
        final List<FakeConnection> opened = new ArrayList<>();
        SQLException failNextOpen;

        @Override
        public synchronized Connection open() throws SQLException {
            if (failNextOpen != null) {
                SQLException failure = failNextOpen;
                failNextOpen = null;
                throw failure;
            }
            FakeConnection connection = new FakeConnection(opened.size() + 1);
            opened.add(connection);
            return connection.proxy;
        }

        @Override
        public String description() {
            return "database app on db1:5432 as cdc";
        }

        synchronized FakeConnection last() {
            return opened.get(opened.size() - 1);
        }
    }

    /** A connection that answers only close, isClosed and toString (its number). */
    private static final class FakeConnection {
        final int number;
        volatile boolean closed;
        final Connection proxy;

        FakeConnection(int number) {
            this.number = number;
            this.proxy = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                    (self, method, args) -> switch (method.getName()) {
                        case "close" -> {
                            closed = true;
                            yield null;
                        }
                        case "isClosed" -> closed;
                        case "toString" -> "connection " + number;
                        case "hashCode" -> number;
                        case "equals" -> self == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    private final FakeConnections connections = new FakeConnections();

    @Test
    void opensOnFirstUseAndKeepsTheConnectionBetweenUses() throws SQLException {
        try (KeptConnection kept = new KeptConnection(connections)) {
            assertThat(connections.opened).isEmpty();
            assertThat(kept.use(Object::toString)).isEqualTo("connection 1");
            assertThat(kept.use(Object::toString)).isEqualTo("connection 1");
            assertThat(connections.opened).hasSize(1);
            assertThat(connections.last().closed).isFalse();
        }
        assertThat(connections.last().closed).isTrue();
    }

    @Test
    void aFailedUseClosesTheConnectionAndTheNextUseOpensANewOne() throws SQLException {
        try (KeptConnection kept = new KeptConnection(connections)) {
            kept.use(Object::toString);
            SQLException broken = new SQLException("An I/O error occurred while sending to the backend.", "08006");
            assertThatThrownBy(() -> kept.use(connection -> {
                throw broken;
            })).isSameAs(broken);
            assertThat(connections.opened.get(0).closed).isTrue();

            assertThat(kept.use(Object::toString)).isEqualTo("connection 2");
            assertThat(connections.opened).hasSize(2);
        }
    }

    @Test
    void aRuntimeFailureOfTheWorkKeepsTheConnection() throws SQLException {
        try (KeptConnection kept = new KeptConnection(connections)) {
            kept.use(Object::toString);
            assertThatThrownBy(() -> kept.use(connection -> {
                throw new IllegalArgumentException("not an LSN");
            })).isInstanceOf(IllegalArgumentException.class);
            assertThat(kept.use(Object::toString)).isEqualTo("connection 1");
        }
    }

    @Test
    void aConnectionClosedUnderneathIsReplaced() throws SQLException {
        try (KeptConnection kept = new KeptConnection(connections)) {
            kept.use(Object::toString);
            connections.last().closed = true; // as pgjdbc marks a connection closed after a fatal error
            assertThat(kept.use(Object::toString)).isEqualTo("connection 2");
        }
    }

    @Test
    void setsUpEachNewConnectionOnceAndClosesOneWhoseSetupFails() throws SQLException {
        AtomicInteger setUps = new AtomicInteger();
        SQLException refused = new SQLException("setNetworkTimeout refused");
        try (KeptConnection kept = new KeptConnection(connections, opened -> {
            if (setUps.incrementAndGet() == 1) {
                throw refused;
            }
        })) {
            assertThatThrownBy(() -> kept.use(Object::toString)).isSameAs(refused);
            assertThat(connections.opened.get(0).closed).isTrue();

            assertThat(kept.use(Object::toString)).isEqualTo("connection 2");
            assertThat(kept.use(Object::toString)).isEqualTo("connection 2");
            assertThat(setUps).hasValue(2);
        }
    }

    @Test
    void aFailedOpenIsRethrownAndRetriedOnTheNextUse() throws SQLException {
        try (KeptConnection kept = new KeptConnection(connections)) {
            SQLException refused = new SQLException("Connection to db1:5432 refused.", "08001");
            connections.failNextOpen = refused;
            assertThatThrownBy(() -> kept.use(Object::toString)).isSameAs(refused);
            assertThat(kept.use(Object::toString)).isEqualTo("connection 1");
        }
    }

    @Test
    void closeDropsTheConnectionAndALaterUseOpensANewOne() throws SQLException {
        KeptConnection kept = new KeptConnection(connections);
        kept.close();
        kept.use(Object::toString);
        kept.close();
        kept.close();
        assertThat(connections.opened.get(0).closed).isTrue();
        assertThat(kept.use(Object::toString)).isEqualTo("connection 2");
        kept.close();
    }

    @Test
    void describesTheConnectionsForMessages() {
        assertThat(new KeptConnection(connections).description()).isEqualTo("database app on db1:5432 as cdc");
    }

    @Test
    void usesAreSerialized() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (KeptConnection kept = new KeptConnection(connections)) {
            CountDownLatch firstInside = new CountDownLatch(1);
            CountDownLatch releaseFirst = new CountDownLatch(1);
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger mostInside = new AtomicInteger();
            KeptConnection.Work<String> work = connection -> {
                mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                firstInside.countDown();
                try {
                    releaseFirst.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inside.decrementAndGet();
                return connection.toString();
            };
            Future<String> first = threads.submit(() -> kept.use(work));
            assertThat(firstInside.await(10, TimeUnit.SECONDS)).isTrue();
            AtomicReference<Thread> secondThread = new AtomicReference<>();
            Future<String> second = threads.submit(() -> {
                secondThread.set(Thread.currentThread());
                return kept.use(work);
            });
            // the second use waits for the first to finish (blocked on the holder), it never runs beside it
            await().atMost(Duration.ofSeconds(10)).until(() -> secondThread.get() != null
                    && secondThread.get().getState() == Thread.State.BLOCKED);
            releaseFirst.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("connection 1");
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("connection 1");
            assertThat(mostInside).hasValue(1);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void refusesMissingArguments() {
        assertThatThrownBy(() -> new KeptConnection(null)).isInstanceOf(NullPointerException.class).hasMessage("connections");
        assertThatThrownBy(() -> new KeptConnection(connections, null)).isInstanceOf(NullPointerException.class).hasMessage("setup");
    }
}
