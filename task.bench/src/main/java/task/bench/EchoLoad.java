package task.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The client side of the echo benchmark: {@code clients} connections to one
 * echo server, driven by one NIO selector loop on the calling thread (the
 * JMH thread), so that the load is the same, and costs the same, whichever
 * server answers.
 * <p>
 * Each round sends every connection its share of a total and returns when
 * every byte has come back. What a connection sends is a fixed pattern
 * (byte {@code k} of its stream is {@code k % 251}); with {@code verify} the
 * loop also checks every byte it gets back against it, so a server that
 * loses, reorders or corrupts data fails the smoke test. Two gates:
 * <ul>
 * <li>{@link #stream}: each connection keeps up to {@code window} bytes
 * unanswered, writing whenever it has room (bulk throughput);</li>
 * <li>{@link #requests}: each connection sends one message and waits until
 * all of it is back before sending the next (request/response).</li>
 * </ul>
 * Every round is bounded ({@value #TIMEOUT_SECONDS} s): a stuck server
 * fails the benchmark instead of hanging it. Single-threaded: every method
 * on the thread that made the load.
 */
final class EchoLoad implements AutoCloseable {
    static final int TIMEOUT_SECONDS = 30;
    private static final int MODULUS = 251;
    /** A multiple of MODULUS, so that the pattern continues across the buffer's end. */
    private static final int PATTERN_BYTES = MODULUS * 261;

    private final Selector selector;
    private final List<Connection> connections = new ArrayList<>();
    private final ByteBuffer pattern = ByteBuffer.allocateDirect(PATTERN_BYTES);
    private final ByteBuffer incoming = ByteBuffer.allocateDirect(64 * 1024);
    private final byte[] check = new byte[64 * 1024];

    /** One connection and how far its stream has got. */
    private static final class Connection {
        final SocketChannel channel;
        final SelectionKey key;
        long sent;
        long received;
        long target;

        Connection(SocketChannel channel, SelectionKey key) {
            this.channel = channel;
            this.key = key;
            key.attach(this);
        }
    }

    EchoLoad(InetSocketAddress server, int clients) throws IOException {
        for (int i = 0; i < PATTERN_BYTES; i++) {
            pattern.put(i, (byte) (i % MODULUS));
        }
        selector = Selector.open();
        try {
            for (int i = 0; i < clients; i++) {
                SocketChannel channel = SocketChannel.open(server);
                try {
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    channel.configureBlocking(false);
                    connections.add(new Connection(channel, channel.register(selector, SelectionKey.OP_READ)));
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Sends {@code total} bytes in all, each connection its share, keeping
     * up to {@code window} bytes unanswered per connection.
     *
     * @return the bytes echoed back, {@code total}
     */
    long stream(long total, int window, boolean verify) throws IOException {
        return round(total, window, false, verify);
    }

    /**
     * Sends {@code messages} messages of {@code size} bytes in all, each
     * connection its share, one at a time per connection.
     *
     * @return the messages echoed back, {@code messages}
     */
    long requests(int messages, int size, boolean verify) throws IOException {
        return round((long) messages * size, size, true, verify) / size;
    }

    private long round(long total, int window, boolean oneAtATime, boolean verify) throws IOException {
        int count = connections.size();
        long share = total / count;
        if (oneAtATime) {
            share -= share % window; // whole messages only
        }
        if (share <= 0) {
            throw new IllegalArgumentException("echo: " + total + " bytes cannot be shared by " + count
                    + " connections");
        }
        for (Connection connection : connections) {
            connection.target = connection.sent + share;
            send(connection, window, oneAtATime);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        int unfinished = count;
        while (unfinished > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("echo: " + unfinished + " of " + count
                        + " connections not answered within " + TIMEOUT_SECONDS + " s");
            }
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            for (SelectionKey key : selector.selectedKeys()) {
                Connection connection = (Connection) key.attachment();
                if (key.isReadable() && receive(connection, verify)) {
                    unfinished--;
                }
                send(connection, window, oneAtATime);
            }
            selector.selectedKeys().clear();
        }
        return share * count;
    }

    /** Writes what the gate allows; asks for OP_WRITE while the socket takes less. */
    private void send(Connection connection, int window, boolean oneAtATime) throws IOException {
        long unanswered = connection.sent - connection.received;
        long room = oneAtATime ? (unanswered == 0 ? window : 0) : window - unanswered;
        long wanted = Math.min(room, connection.target - connection.sent);
        boolean blocked = false;
        while (wanted > 0) {
            int offset = (int) (connection.sent % PATTERN_BYTES);
            ByteBuffer chunk = pattern.duplicate();
            chunk.position(offset).limit((int) Math.min(PATTERN_BYTES, offset + wanted));
            int written = connection.channel.write(chunk);
            if (written == 0) {
                blocked = true;
                break;
            }
            connection.sent += written;
            wanted -= written;
        }
        connection.key.interestOps(blocked ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    /** Reads what has come back; true when this made the connection reach its target. */
    private boolean receive(Connection connection, boolean verify) throws IOException {
        boolean wasDone = connection.received == connection.target;
        int read;
        while ((read = connection.channel.read(incoming.clear())) > 0) {
            if (verify) {
                verify(connection, read);
            }
            connection.received += read;
        }
        if (read < 0) {
            throw new IOException("echo: the server closed a connection after " + connection.received + " bytes");
        }
        if (connection.received > connection.target) {
            throw new IllegalStateException("echo: got " + connection.received + " bytes back, sent "
                    + connection.target);
        }
        return !wasDone && connection.received == connection.target;
    }

    private void verify(Connection connection, int read) {
        incoming.flip();
        incoming.get(check, 0, read);
        for (int i = 0; i < read; i++) {
            byte expected = (byte) ((connection.received + i) % MODULUS);
            if (check[i] != expected) {
                throw new IllegalStateException("echo: byte " + (connection.received + i) + " came back as "
                        + check[i] + ", sent " + expected);
            }
        }
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (Connection connection : connections) {
            try {
                connection.channel.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        selector.close();
        if (failure != null) {
            throw failure;
        }
    }
}
