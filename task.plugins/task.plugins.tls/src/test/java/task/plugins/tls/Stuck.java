package task.plugins.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/**
 * A listener on 127.0.0.1 that never accepts and whose accept queue is
 * full, so that a new connect to it stays pending (the kernel drops the SYN
 * of a connection it has no room for): the connector's test helper of the
 * same name. It is filled by connecting until one connect does not complete
 * within a second; if the queue never fills, the test is skipped rather
 * than guessed.
 */
public final class Stuck implements AutoCloseable {
    private final ServerSocketChannel server;
    private final List<Socket> fillers = new ArrayList<>();

    public Stuck() throws IOException {
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
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

    public int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    @Override
    public void close() throws IOException {
        for (Socket filler : fillers) {
            filler.close();
        }
        server.close();
    }
}
