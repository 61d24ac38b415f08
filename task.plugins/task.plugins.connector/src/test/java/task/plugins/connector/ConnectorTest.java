package task.plugins.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCancelledException;
import task.impl.TaskRuntime;
import task.plugins.resolver.AddressFamily;
import task.plugins.resolver.SocketAddresses;

/**
 * The connector's Java API against real loopback sockets and the system
 * resolver. Most tests drive a caller-driven context with iterate(), so that
 * every step happens when the test says; the timeout is only a safety net.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectorTest {
    private TaskRuntime runtime;
    private EventContext context;
    private int socketsBefore;

    @BeforeEach
    void start() throws IOException {
        runtime = TaskRuntime.start();
        context = runtime.contexts().create("connector-test");
        socketsBefore = Loopback.openSockets();
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    @Test
    void connectsToALoopbackListenerAndCallsBackOnTheContextsThread() throws Exception {
        try (ServerSocketChannel server = Loopback.listen()) {
            InetSocketAddress listening = (InetSocketAddress) server.getLocalAddress();
            AtomicReference<SocketChannel> kept = new AtomicReference<>();
            Outcome<SocketAddress, Connection> outcome = new Outcome<>(context,
                    task -> kept.set(task.result().take()));

            Task<SocketAddress, Connection> task = Connector.connect(runtime.tasks(),
                    InetSocketAddress.createUnresolved("127.0.0.1", listening.getPort()), context, outcome);
            outcome.drive();

            assertNull(outcome.error());
            assertTrue(outcome.ranOnContext(), "the callback runs on the context's thread");
            assertEquals("connect 127.0.0.1:" + listening.getPort(), task.name());
            try (SocketChannel client = kept.get(); SocketChannel accepted = server.accept()) {
                assertTrue(client.isConnected());
                assertEquals(listening, client.getRemoteAddress());
                assertEquals(listening, outcome.result().remoteAddress());
                assertEquals(client.getLocalAddress(), outcome.result().localAddress());
                assertEquals(client.getLocalAddress(), accepted.getRemoteAddress(), "the listener accepted this client");
                assertEquals("connected 127.0.0.1:" + ((InetSocketAddress) client.getLocalAddress()).getPort()
                        + " -> 127.0.0.1:" + listening.getPort(), outcome.result().toString());
            }
        }
        // A channel once watched keeps its descriptor until the selector's next selection.
        drainContext();
        assertEquals(socketsBefore, Loopback.openSockets());
        assertTrue(runtime.inspector().inFlight().isEmpty());
    }

    @Test
    void connectsOnAContextWithItsOwnThread() throws Exception {
        try (ServerSocketChannel server = Loopback.listen();
                EventContext own = runtime.contexts().start("connector-own-thread")) {
            Outcome<SocketAddress, Connection> outcome = new Outcome<>(own);
            Connector.connect(runtime.tasks(), server.getLocalAddress(), own, outcome);
            outcome.await();

            assertNull(outcome.error());
            assertTrue(outcome.ranOnContext());
            assertEquals(server.getLocalAddress(), outcome.result().remoteAddress());
        }
    }

    @Test
    void connectsToLocalhostOnWhicheverLoopbackAddressListens() throws Exception {
        InetAddress[] localhost = InetAddress.getAllByName("localhost");
        List<ServerSocketChannel> servers = new ArrayList<>();
        try {
            // Listen on every address localhost names, on one port, so that
            // the first address tried answers whatever the system's order.
            ServerSocketChannel first = ServerSocketChannel.open();
            first.bind(new InetSocketAddress(localhost[0], 0));
            servers.add(first);
            int port = ((InetSocketAddress) first.getLocalAddress()).getPort();
            for (int i = 1; i < localhost.length; i++) {
                ServerSocketChannel more = ServerSocketChannel.open();
                servers.add(more);
                more.bind(new InetSocketAddress(localhost[i], port));
            }
            Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
            Connector.connect(runtime.tasks(), InetSocketAddress.createUnresolved("localhost", port), context,
                    outcome);
            outcome.drive();

            assertNull(outcome.error());
            assertEquals(new InetSocketAddress(localhost[0], port), outcome.result().remoteAddress(),
                    "the first address localhost resolves to is tried first");
            SocketChannel accepted = servers.get(0).accept();
            assertEquals(outcome.result().localAddress(), accepted.getRemoteAddress());
            accepted.close();
        } finally {
            for (ServerSocketChannel server : servers) {
                server.close();
            }
        }
    }

    @Test
    void connectsOverIpv6Loopback() throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET6);
        try (server) {
            try {
                server.bind(new InetSocketAddress("::1", 0));
            } catch (IOException noIpv6) {
                Assumptions.abort("no IPv6 loopback here: " + noIpv6);
            }
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
            Task<SocketAddress, Connection> task = Connector.connect(runtime.tasks(),
                    InetSocketAddress.createUnresolved("::1", port), context, outcome);
            assertEquals("connect [::1]:" + port, task.name());
            outcome.drive();

            assertNull(outcome.error());
            assertEquals(server.getLocalAddress(), outcome.result().remoteAddress());
            assertTrue(outcome.result().toString().endsWith(" -> [::1]:" + port), outcome.result().toString());
        }
    }

    @Test
    void theTaskClosesTheChannelUnlessTheCallbackTakesIt() throws Exception {
        try (ServerSocketChannel server = Loopback.listen()) {
            AtomicReference<Connection> seen = new AtomicReference<>();
            Outcome<SocketAddress, Connection> outcome = new Outcome<>(context, task -> {
                assertTrue(task.result().channel().isOpen(), "open while the callback runs");
                seen.set(task.result());
            });
            Connector.connect(runtime.tasks(), server.getLocalAddress(), context, outcome);
            outcome.drive();

            assertFalse(seen.get().channel().isOpen(), "the result's cleanup closed the channel");
            assertFalse(seen.get().isTaken());
            IllegalStateException late = assertThrows(IllegalStateException.class, seen.get()::take);
            assertTrue(late.getMessage().contains("closed when its task finished"), late.getMessage());
            try (SocketChannel accepted = server.accept()) {
                assertEquals(-1, accepted.read(ByteBuffer.allocate(1)), "the peer sees the close");
            }
        }
    }

    @Test
    void aTakenChannelStaysOpenAndCanBeTakenOnlyOnce() throws Exception {
        try (ServerSocketChannel server = Loopback.listen()) {
            AtomicReference<Connection> seen = new AtomicReference<>();
            AtomicReference<SocketChannel> kept = new AtomicReference<>();
            Outcome<SocketAddress, Connection> outcome = new Outcome<>(context, task -> {
                seen.set(task.result());
                kept.set(task.result().take());
            });
            Connector.connect(runtime.tasks(), server.getLocalAddress(), context, outcome);
            outcome.drive();

            try (SocketChannel client = kept.get(); SocketChannel accepted = server.accept()) {
                assertTrue(client.isOpen());
                assertTrue(seen.get().isTaken());
                IllegalStateException twice = assertThrows(IllegalStateException.class, seen.get()::take);
                assertTrue(twice.getMessage().contains("already taken"), twice.getMessage());
                // Still usable non-blocking on the same context: the peer's bytes arrive through a watch.
                accepted.write(ByteBuffer.wrap(new byte[] {42}));
                ByteBuffer in = ByteBuffer.allocate(1);
                context.watch(client, SelectionKey.OP_READ, ready -> {
                    try {
                        client.read(in);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                    return in.hasRemaining();
                });
                while (in.hasRemaining()) {
                    context.iterate(true);
                }
                assertEquals(42, in.get(0));
            }
        }
    }

    @Test
    void aTakenChannelCanBeMadeBlockingInTheCallback() throws Exception {
        try (ServerSocketChannel server = Loopback.listen()) {
            AtomicReference<SocketChannel> kept = new AtomicReference<>();
            Outcome<SocketAddress, Connection> outcome = new Outcome<>(context, task -> {
                SocketChannel channel = task.result().take();
                kept.set(channel);
                try {
                    // Allowed only because the connect's watch is gone by now.
                    channel.configureBlocking(true);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            Connector.connect(runtime.tasks(), server.getLocalAddress(), context, outcome);
            outcome.drive();

            try (SocketChannel client = kept.get(); SocketChannel accepted = server.accept()) {
                assertTrue(client.isBlocking());
                accepted.write(ByteBuffer.wrap(new byte[] {9}));
                ByteBuffer in = ByteBuffer.allocate(1);
                assertEquals(1, client.read(in), "a blocking read");
                assertEquals(9, in.get(0));
            }
        }
    }

    @Test
    void theAddressFamilyReachesTheResolver() throws Exception {
        Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
        Connector.connect(runtime.tasks(), InetSocketAddress.createUnresolved("127.0.0.1", 9),
                ConnectOptions.defaults().withFamily(AddressFamily.IPV6), context, outcome);
        outcome.drive();
        // The resolver refuses an IPv4 literal for an IPv6-only connect; nothing is tried.
        UnknownHostException error = assertInstanceOf(UnknownHostException.class, outcome.error());
        assertTrue(error.getMessage().contains("127.0.0.1"), error.getMessage());
        assertEquals(socketsBefore, Loopback.openSockets());
    }

    @Test
    void failsCleanlyAgainstAClosedPort() throws Exception {
        int port = Loopback.closedPort();
        Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
        Connector.connect(runtime.tasks(), InetSocketAddress.createUnresolved("127.0.0.1", port), context, outcome);
        outcome.drive();

        ConnectException error = assertInstanceOf(ConnectException.class, outcome.error());
        assertEquals("connect: could not connect to 127.0.0.1:" + port + ": 127.0.0.1:" + port
                + " (Connection refused)", error.getMessage());
        assertEquals(1, error.getSuppressed().length, "the attempt's own exception");
        assertNull(outcome.result());
        assertTrue(outcome.ranOnContext());
        drainContext();
        assertEquals(socketsBefore, Loopback.openSockets(), "every channel opened was closed");
        assertTrue(runtime.inspector().inFlight().isEmpty());
    }

    @Test
    void namesEveryLocalhostAddressTriedAgainstAClosedPort() throws Exception {
        int port = Loopback.closedPort();
        InetAddress[] localhost = InetAddress.getAllByName("localhost");
        Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
        Connector.connect(runtime.tasks(), InetSocketAddress.createUnresolved("localhost", port), context, outcome);
        outcome.drive();

        ConnectException error = assertInstanceOf(ConnectException.class, outcome.error());
        String message = error.getMessage();
        assertTrue(message.startsWith("connect: could not connect to localhost:" + port + ": "), message);
        for (InetAddress address : localhost) {
            String text = Addresses.text(new InetSocketAddress(address, port));
            assertTrue(message.contains(text + " ("), text + " is named in: " + message);
        }
        assertEquals(localhost.length, error.getSuppressed().length);
        drainContext();
        assertEquals(socketsBefore, Loopback.openSockets());
    }

    @Test
    void aNameUnderInvalidFailsWithTheResolversError() throws Exception {
        Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
        Connector.connect(runtime.tasks(), InetSocketAddress.createUnresolved("no-such-host.invalid", 80), context,
                outcome);
        outcome.drive();

        UnknownHostException error = assertInstanceOf(UnknownHostException.class, outcome.error());
        assertTrue(error.getMessage().contains("no-such-host.invalid"), error.getMessage());
        assertTrue(outcome.ranOnContext());
        assertEquals(socketsBefore, Loopback.openSockets(), "no channel was opened");
    }

    @Test
    void cancellingWhileResolvingEndsWithTaskCancelledAndOpensNothing() throws Exception {
        try (ServerSocketChannel server = Loopback.listen()) {
            int before = Loopback.openSockets();
            Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
            Task<SocketAddress, Connection> task = Connector.connect(runtime.tasks(), server.getLocalAddress(),
                    context, outcome);
            // Nothing has run on the context yet: the lookup's completion waits there.
            assertTrue(task.cancel(false));
            outcome.drive();

            assertInstanceOf(TaskCancelledException.class, outcome.error());
            assertNull(outcome.result());
            assertEquals(1, outcome.calls());
            drainContext();
            assertEquals(before, Loopback.openSockets(), "no channel was opened");
            server.configureBlocking(false);
            assertNull(server.accept(), "nobody connected");
        }
    }

    @Test
    void cancellingWhileConnectingClosesTheHalfOpenSocket() throws Exception {
        try (Loopback.Stuck stuck = new Loopback.Stuck()) {
            int before = Loopback.openSockets();
            Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
            Task<SocketAddress, Connection> task = Connector.connect(runtime.tasks(), stuck.address(), context,
                    outcome);
            // One iteration runs the lookup's completion, which starts the
            // connect; the full accept queue keeps it pending.
            assertTrue(context.iterate(true));
            assertFalse(outcome.isDone());
            assertEquals(before + 1, Loopback.openSockets(), "the half-open socket");

            assertTrue(task.cancel(false));
            outcome.drive();

            assertInstanceOf(TaskCancelledException.class, outcome.error());
            drainContext();
            assertEquals(before, Loopback.openSockets(), "the half-open socket was closed");
            assertTrue(runtime.inspector().inFlight().isEmpty());
        }
    }

    @Test
    void connectsToAUnixDomainSocket(@TempDir Path directory) throws Exception {
        Path path = directory.resolve("server.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            AtomicReference<SocketChannel> kept = new AtomicReference<>();
            Outcome<SocketAddress, Connection> outcome = new Outcome<>(context, task -> kept.set(task.result().take()));
            Connector.connect(runtime.tasks(), UnixDomainSocketAddress.of(path), context, outcome);
            outcome.drive();

            assertNull(outcome.error());
            assertEquals(UnixDomainSocketAddress.of(path), outcome.result().remoteAddress());
            assertEquals("connected unix:(unnamed) -> unix:" + path, outcome.result().toString());
            try (SocketChannel client = kept.get(); SocketChannel accepted = server.accept()) {
                client.write(ByteBuffer.wrap(new byte[] {7}));
                ByteBuffer in = ByteBuffer.allocate(1);
                accepted.read(in);
                assertEquals(7, in.get(0));
            }
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void refusesANewConnectOnAClosedContextAndLeavesNothing() throws Exception {
        EventContext closed = runtime.contexts().create("closed");
        closed.close();
        Outcome<SocketAddress, Connection> outcome = new Outcome<>(closed);
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> Connector.connect(runtime.tasks(),
                new InetSocketAddress(Loopback.V4, 80), closed, outcome));
        assertFalse(outcome.isDone());
        assertTrue(runtime.inspector().inFlight().isEmpty());
        assertEquals(socketsBefore, Loopback.openSockets());
    }

    @Test
    void theDefaultContextIsUsedWhenNoneIsGiven() throws Exception {
        try (ServerSocketChannel server = Loopback.listen()) {
            Outcome<SocketAddress, Connection> outcome = new Outcome<>(runtime.defaultContext());
            Connector.connect(runtime.tasks(), server.getLocalAddress(), null, outcome);
            outcome.await();
            assertNull(outcome.error());
            assertTrue(outcome.ranOnContext(), "on the default context's thread");
            assertNotNull(outcome.result().localAddress());
        }
    }

    @Test
    void theReadmeExampleWorks() throws Exception {
        try (ServerSocketChannel server = Loopback.listen()) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            // As in the README's connector section, with the listener's port.
            SocketAddress address = SocketAddresses.parse("connect", "localhost:" + port, true);
            ConnectOptions options = ConnectOptions.defaults().withOverallTimeout(Duration.ofSeconds(5));
            CompletableFuture<SocketChannel> connected = new CompletableFuture<>();
            Connector.connect(runtime.tasks(), address, options, null, task -> {
                Throwable error = task.propagateError();
                if (error != null) connected.completeExceptionally(error);
                else connected.complete(task.result().take());
            });
            try (SocketChannel channel = connected.join(); SocketChannel accepted = server.accept()) {
                channel.configureBlocking(true);
                channel.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer in = ByteBuffer.allocate(6);
                while (in.hasRemaining() && accepted.read(in) >= 0) {
                    // until the greeting is in
                }
                assertEquals("hello\n", new String(in.array(), StandardCharsets.US_ASCII));
            }
        }
    }

    /** Runs what is left on the context (a cancelled lookup's completion) and flushes its selector. */
    private void drainContext() {
        while (context.iterate(false)) {
            // keep going until nothing is due
        }
    }
}
