package dev.pgcdc.postgres.connection;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.SocketFactory;

/**
 * The sockets of replication connections (pgjdbc's {@code socketFactory}, instantiated by pgjdbc through the public
 * constructor): plain TCP sockets whose input gathers the walsender's messages before reading them.
 *
 * <p>Why: the walsender sends every change as a message of its own as soon as it has decoded it, and a reader that keeps
 * up finds one message at a time on the socket; pgjdbc's non-blocking read then asks the socket for each one
 * ({@code available()}, then a read, often a timed peek: three or four system calls per change). On the benchmark's
 * 3M-row workload that was 45% of pgcdc's CPU. Here, when nothing is buffered and less than {@link #GATHER_BYTES}
 * wait in the socket, a read first pauses {@link #GATHER_NANOS}, then takes everything that arrived (up to
 * {@link #BUFFER_BYTES}) in one call; a change waits at most that long more. TLS layers on top of this input, so it
 * gathers the encrypted bytes alike.
 */
public final class ReplicationSocketFactory extends SocketFactory {

    /** Bytes read from the socket at most per call. */
    static final int BUFFER_BYTES = 64 * 1024;
    /** With at least this many bytes waiting a read goes ahead at once: waiting would gather little more. */
    static final int GATHER_BYTES = 16 * 1024;
    /** How long a read with little waiting lets the walsender's next messages arrive first. */
    static final long GATHER_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    /** pgjdbc's way in: {@code socketFactory} names this class. */
    public ReplicationSocketFactory() {
    }

    @Override
    public Socket createSocket() {
        return new GatheringSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    /** pgjdbc connects the unconnected socket itself; these are the other ways a {@link SocketFactory} is asked. */
    private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket socket = createSocket();
        try {
            if (local != null) {
                socket.bind(local);
            }
            socket.connect(remote);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** A TCP socket whose input is a {@link GatheringInputStream}. */
    private static final class GatheringSocket extends Socket {

        private InputStream input;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (input == null) {
                input = new GatheringInputStream(super.getInputStream(), GATHER_BYTES, () -> LockSupport.parkNanos(GATHER_NANOS), BUFFER_BYTES);
            }
            return input;
        }
    }

    /**
     * A buffered input that, when its buffer is empty and fewer than {@code gatherBytes} are waiting underneath, pauses
     * before it reads. One reader thread at a time (pgjdbc's).
     */
    static final class GatheringInputStream extends InputStream {

        private final InputStream in;
        private final int gatherBytes;
        private final Runnable pause;
        private final byte[] buffer;
        private int position;
        private int limit;

        GatheringInputStream(InputStream in, int gatherBytes, Runnable pause, int bufferBytes) {
            this.in = in;
            this.gatherBytes = gatherBytes;
            this.pause = pause;
            this.buffer = new byte[bufferBytes];
        }

        @Override
        public int read() throws IOException {
            if (position == limit && !fill()) {
                return -1;
            }
            return buffer[position++] & 0xFF;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, target.length);
            if (length == 0) {
                return 0;
            }
            if (position == limit && !fill()) {
                return -1;
            }
            int n = Math.min(length, limit - position);
            System.arraycopy(buffer, position, target, offset, n);
            position += n;
            return n;
        }

        /** Buffered bytes, else what the socket holds (pgjdbc asks this before each message it reads without blocking). */
        @Override
        public int available() throws IOException {
            int buffered = limit - position;
            return buffered > 0 ? buffered : in.available();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        /** Refills the empty buffer: false at the end of the stream. Blocks as the socket's timeout allows. */
        private boolean fill() throws IOException {
            if (in.available() < gatherBytes) {
                pause.run();
            }
            int n = in.read(buffer, 0, buffer.length);
            position = 0;
            limit = Math.max(n, 0);
            return n > 0;
        }
    }
}
