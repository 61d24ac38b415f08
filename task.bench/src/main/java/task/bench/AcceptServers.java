package task.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import task.api.EventContext;
import task.impl.TaskRuntime;
import task.plugins.listener.NetListener;

/**
 * The three accept loops of the listener benchmark, each listening on
 * 127.0.0.1 (an ephemeral port) and closing every client it accepts:
 * <ul>
 * <li>{@value #OURS}: a {@link NetListener} whose handler runs on an event
 * context started with {@code runtime.contexts().start(...)};</li>
 * <li>{@value #SERVER_SOCKET}: a blocking {@link ServerSocket} accept loop
 * on its own thread;</li>
 * <li>{@value #NIO}: a {@link Selector} loop ({@code OP_ACCEPT}) on its own
 * thread, accepting until {@code accept()} returns null on each wake-up.</li>
 * </ul>
 * All bind with the same backlog ({@value #BACKLOG}).
 */
final class AcceptServers {
    static final String OURS = "ours";
    static final String SERVER_SOCKET = "serversocket";
    static final String NIO = "nio";
    static final int BACKLOG = 4096;

    private AcceptServers() {
    }

    /** A running accept loop. */
    abstract static class Server implements AutoCloseable {
        private final AtomicLong accepted = new AtomicLong();
        private volatile long target = Long.MAX_VALUE;
        private volatile CountDownLatch reached;

        abstract InetSocketAddress address();

        /** Called by the accept loop once per client it accepted (and closed). */
        final void accepted() {
            long count = accepted.incrementAndGet();
            if (count == target) {
                reached.countDown();
            }
        }

        final long acceptedSoFar() {
            return accepted.get();
        }

        /**
         * Arms a latch that opens when {@code more} further clients have
         * been accepted; call while no client is pending.
         */
        final CountDownLatch expect(long more) {
            CountDownLatch latch = new CountDownLatch(1);
            reached = latch;
            target = accepted.get() + more;
            return latch;
        }

        @Override
        public abstract void close();
    }

    static Server start(String name) {
        try {
            switch (name) {
            case OURS:
                return new Ours();
            case SERVER_SOCKET:
                return new Blocking();
            case NIO:
                return new Nio();
            default:
                throw new IllegalArgumentException("unknown accept loop: " + name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InetSocketAddress loopback() {
        return new InetSocketAddress("127.0.0.1", 0);
    }

    private static void join(Thread thread) {
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new IllegalStateException(thread.getName() + " did not stop");
        }
    }

    /** NetListener, handler on a started event context. */
    static final class Ours extends Server {
        private final TaskRuntime runtime;
        private final EventContext context;
        private final NetListener listener;
        private final InetSocketAddress address;

        Ours() throws IOException {
            runtime = TaskRuntime.start();
            try {
                context = runtime.contexts().start("bench-listener");
                listener = new NetListener("bench");
                listener.open(loopback(), BACKLOG);
                address = (InetSocketAddress) listener.localAddress(0);
                listener.setClientHandler((source, client) -> {
                    try {
                        client.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    accepted();
                }, context);
            } catch (IOException | RuntimeException e) {
                runtime.close();
                throw e;
            }
        }

        @Override
        InetSocketAddress address() {
            return address;
        }

        @Override
        public void close() {
            try {
                listener.close();
                context.close();
            } finally {
                runtime.close();
            }
        }
    }

    /** A blocking ServerSocket accept loop on its own thread. */
    static final class Blocking extends Server {
        private final ServerSocket server;
        private final Thread thread;

        Blocking() throws IOException {
            server = new ServerSocket();
            server.bind(loopback(), BACKLOG);
            thread = new Thread(this::loop, "bench-serversocket");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    client.close();
                    accepted();
                } catch (SocketException closed) {
                    return;
                } catch (IOException e) {
                    if (server.isClosed()) {
                        return;
                    }
                    e.printStackTrace();
                }
            }
        }

        @Override
        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            join(thread);
        }
    }

    /** A Selector loop with OP_ACCEPT on its own thread. */
    static final class Nio extends Server {
        private final ServerSocketChannel server;
        private final Selector selector;
        private final Thread thread;
        private volatile boolean running = true;

        Nio() throws IOException {
            server = ServerSocketChannel.open();
            server.bind(loopback(), BACKLOG);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
            thread = new Thread(this::loop, "bench-nio");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            try {
                while (running) {
                    selector.select();
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        if (key.isValid() && key.isAcceptable()) {
                            SocketChannel client;
                            while ((client = server.accept()) != null) {
                                client.close();
                                accepted();
                            }
                        }
                    }
                }
            } catch (IOException e) {
                if (running) {
                    e.printStackTrace();
                }
            }
        }

        @Override
        InetSocketAddress address() {
            try {
                return (InetSocketAddress) server.getLocalAddress();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            running = false;
            selector.wakeup();
            join(thread);
            try {
                server.close();
                selector.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
