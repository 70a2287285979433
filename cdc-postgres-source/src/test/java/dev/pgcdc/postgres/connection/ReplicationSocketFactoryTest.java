package dev.pgcdc.postgres.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.postgres.connection.ReplicationSocketFactory.GatheringInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReplicationSocketFactoryTest {

    @Test
    void withLittleWaitingAReadPausesFirstThenTakesEverythingThatArrivedMeanwhile() throws IOException {
        Underlying socket = new Underlying(new byte[1000]);
        List<Integer> availableAtPause = new ArrayList<>();
        // the pause lets 900 more bytes arrive: the socket held 100 when the read was asked for
        socket.available = 100;
        GatheringInputStream in = new GatheringInputStream(socket, 512, () -> {
            availableAtPause.add(socket.available);
            socket.available = 1000;
        }, 4096);

        byte[] message = new byte[10];
        assertThat(in.read(message)).isEqualTo(10);
        assertThat(availableAtPause).containsExactly(100);
        assertThat(socket.reads).isEqualTo(1);
        assertThat(in.available()).as("the rest is buffered: no question to the socket").isEqualTo(990);
        assertThat(in.readNBytes(990)).hasSize(990);
        assertThat(socket.reads).isEqualTo(1);
    }

    @Test
    void withEnoughWaitingAReadGoesAheadAtOnceAndTakesAtMostTheBuffer() throws IOException {
        Underlying socket = new Underlying(new byte[10_000]);
        socket.available = 10_000;
        List<String> pauses = new ArrayList<>();
        GatheringInputStream in = new GatheringInputStream(socket, 512, () -> pauses.add("pause"), 4096);

        assertThat(in.read(new byte[8192])).isEqualTo(4096);
        assertThat(pauses).isEmpty();
        assertThat(in.available()).as("the buffer is empty: what the socket holds").isEqualTo(10_000 - 4096);
    }

    @Test
    void theEndOfTheStreamAndSingleBytesComeThrough() throws IOException {
        Underlying socket = new Underlying(new byte[] {7, (byte) 200});
        GatheringInputStream in = new GatheringInputStream(socket, 512, () -> { }, 4096);
        assertThat(in.read()).isEqualTo(7);
        assertThat(in.read()).isEqualTo(200);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
        assertThat(in.read(new byte[4], 0, 0)).isZero();
    }

    @Test
    void aSocketFromTheFactoryDeliversEveryByteInOrder() throws Exception {
        int messages = 2000;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new ReplicationSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket peer = server.accept()) {
            client.setSoTimeout(30_000);
            // the walsender's pattern: one small message per send
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = peer.getOutputStream();
                    byte[] message = new byte[100];
                    for (int i = 0; i < messages; i++) {
                        message[0] = (byte) i;
                        message[99] = (byte) (i >> 8);
                        out.write(message);
                        out.flush();
                    }
                    peer.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            InputStream in = client.getInputStream();
            int received = 0;
            byte[] message = new byte[100];
            while (in.readNBytes(message, 0, 100) == 100) {
                assertThat(message[0]).isEqualTo((byte) received);
                assertThat(message[99]).isEqualTo((byte) (received >> 8));
                received++;
            }
            sender.get(30, TimeUnit.SECONDS);
            assertThat(received).isEqualTo(messages);
        }
    }

    /** A socket's input: {@code available} is set by the test, reads are counted. */
    private static final class Underlying extends ByteArrayInputStream {
        int available;
        int reads;

        Underlying(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int available() {
            return Math.min(available, super.available());
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            reads++;
            int n = super.read(b, off, len);
            if (n > 0) {
                available -= n;
            }
            return n;
        }
    }
}
