package task.plugins.connector;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/** Real loopback sockets for the tests, and a count of the process's open sockets. */
public final class Loopback {
    /** 127.0.0.1. */
    public static final InetAddress V4 = InetAddress.getLoopbackAddress();

    private Loopback() {
    }

    /** A listener on 127.0.0.1 and a port the system chose. */
    public static ServerSocketChannel listen() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(V4, 0));
        return server;
    }

    /** A port on 127.0.0.1 where nobody listens: bound, noted, closed. */
    public static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, V4)) {
            return socket.getLocalPort();
        }
    }

    /**
     * How many sockets this process has open, from {@code /proc/self/fd}.
     * A closed channel that was registered with a selector keeps its
     * descriptor until that selector's next selection, so count after the
     * context has iterated.
     */
    public static int openSockets() throws IOException {
        int sockets = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Paths.get("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        sockets++;
                    }
                } catch (IOException closedMeanwhile) {
                    // The directory stream's own descriptor, or one closed while listing.
                }
            }
        }
        return sockets;
    }

    /**
     * A listener on 127.0.0.1 that never accepts and whose accept queue is
     * full, so that a new connect to it stays pending: the kernel drops the
     * SYN of a connection it has no room for. It is filled by connecting
     * until one connect does not complete within a second; if the queue
     * never fills, the test is skipped rather than guessed.
     */
    public static final class Stuck implements AutoCloseable {
        private final ServerSocketChannel server;
        private final List<Socket> fillers = new ArrayList<>();

        public Stuck() throws IOException {
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(V4, 0), 1);
            for (int i = 0; i < 64; i++) {
                Socket filler = new Socket();
                try {
                    filler.connect(server.getLocalAddress(), 1000);
                    fillers.add(filler);
                } catch (SocketTimeoutException full) {
                    filler.close();
                    return;
                }
            }
            close();
            Assumptions.abort("the accept queue of a loopback listener never filled; cannot hold a connect pending");
        }

        public InetSocketAddress address() throws IOException {
            return (InetSocketAddress) server.getLocalAddress();
        }

        @Override
        public void close() throws IOException {
            for (Socket filler : fillers) {
                filler.close();
            }
            server.close();
        }
    }
}
