package task.plugins.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A plain TCP peer on 127.0.0.1 that takes connections and never answers:
 * it speaks no TLS, so a handshake with it stalls after the first flight.
 */
public final class Stalled implements AutoCloseable {
    public final ServerSocketChannel server;

    public Stalled() throws IOException {
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    public int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    /** A client connected to this peer (blocking), the peer's end accepted. */
    public Pair connect() throws IOException {
        SocketChannel client = SocketChannel.open(server.getLocalAddress());
        SocketChannel accepted = server.accept();
        return new Pair(client, accepted);
    }

    /** Both ends of one connection. */
    public record Pair(SocketChannel client, SocketChannel accepted) implements AutoCloseable {
        /** Reads what the peer end received so far, without blocking: -1 once the other end closed. */
        public int drain() throws IOException {
            accepted.configureBlocking(false);
            int total = 0;
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            for (;;) {
                buffer.clear();
                int read = accepted.read(buffer);
                if (read < 0) {
                    return total == 0 ? -1 : total;
                }
                if (read == 0) {
                    return total;
                }
                total += read;
            }
        }

        /** Reads (blocking) until the other end closes: returns only once it has. @return the bytes read */
        public long readToEnd() throws IOException {
            accepted.configureBlocking(true);
            long total = 0;
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            int read;
            while ((read = accepted.read(buffer)) >= 0) {
                total += read;
                buffer.clear();
            }
            return total;
        }

        @Override
        public void close() throws IOException {
            client.close();
            accepted.close();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
