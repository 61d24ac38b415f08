package task.plugins.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import task.api.EventContext;
import task.impl.TaskRuntime;

/** Handing accepted clients to the handler, on the handler's context. */
@Timeout(60)
class NetListenerHandlerTest {
    private TaskRuntime runtime;
    private Loopback loopback;

    /** One handler call, as seen from inside it. */
    private record Delivery(String handler, SocketChannel client, boolean inContext, Thread thread) {
    }

    /** A handler that records each call and keeps the client for closing. */
    private ClientHandler recording(String name, EventContext context, BlockingQueue<Delivery> into) {
        return (listener, client) -> {
            loopback.keep(client);
            into.add(new Delivery(name, client, context.inContext(), Thread.currentThread()));
        };
    }

    @BeforeEach
    void start() {
        runtime = TaskRuntime.start();
        loopback = new Loopback();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            loopback.close();
        } finally {
            runtime.close();
        }
    }

    private NetListener listening(String name) throws IOException {
        NetListener listener = loopback.keep(new NetListener(name));
        listener.open(Loopback.ipv4(0), 8);
        return listener;
    }

    @Test
    void handsEachClientToTheHandlerOnTheContextsThread() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().start("clients"));
        NetListener listener = listening("several");
        BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        listener.setClientHandler(recording("h", context, deliveries), context);

        for (int i = 0; i < 5; i++) {
            SocketChannel client = loopback.connect(listener.localAddress(0));
            Delivery delivery = deliveries.take();
            assertTrue(delivery.inContext(), "handler ran off the context's thread " + delivery.thread());
            assertEquals("clients", delivery.thread().getName());
            assertEquals(client.getLocalAddress(), delivery.client().getRemoteAddress());
            assertTrue(delivery.client().isBlocking(), "clients are handed over in blocking mode");
        }
        assertTrue(deliveries.isEmpty());
    }

    @Test
    void aCallerDrivenContextDeliversInItsCallersThread() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().create("driven"));
        NetListener listener = listening("driven");
        BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        listener.setClientHandler(recording("h", context, deliveries), context);

        SocketChannel first = loopback.connect(listener.localAddress(0));
        SocketChannel second = loopback.connect(listener.localAddress(0));
        assertTrue(deliveries.isEmpty(), "nothing may be delivered before the context runs");
        Loopback.iterateUntil(context, () -> deliveries.size() == 2);

        Delivery one = deliveries.take();
        Delivery two = deliveries.take();
        assertTrue(one.inContext() && two.inContext());
        assertEquals(Thread.currentThread(), one.thread());
        assertEquals(List.of(first.getLocalAddress(), second.getLocalAddress()),
                List.of(one.client().getRemoteAddress(), two.client().getRemoteAddress()));
    }

    @Test
    void changingTheHandlerAndItsContextLosesNoPendingClient() throws Exception {
        EventContext oldContext = loopback.keep(runtime.contexts().create("old"));
        EventContext newContext = loopback.keep(runtime.contexts().start("new"));
        NetListener listener = listening("switch");
        BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        listener.setClientHandler(recording("old", oldContext, deliveries), oldContext);
        SocketChannel early = loopback.connect(listener.localAddress(0));
        Loopback.iterateUntil(oldContext, () -> !deliveries.isEmpty());
        assertEquals("old", deliveries.peek().handler());
        assertEquals(early.getLocalAddress(), deliveries.take().client().getRemoteAddress());

        // Connected (the kernel holds it in the backlog) but not accepted yet: the switch must keep it.
        SocketChannel pending = loopback.connect(listener.localAddress(0));
        listener.setClientHandler(recording("new", newContext, deliveries), newContext);

        Delivery delivery = deliveries.take();
        assertEquals("new", delivery.handler());
        assertTrue(delivery.inContext());
        assertEquals("new", delivery.thread().getName());
        assertEquals(pending.getLocalAddress(), delivery.client().getRemoteAddress());
        // The old context's watches are gone: running it delivers nothing more.
        SocketChannel later = loopback.connect(listener.localAddress(0));
        Loopback.drain(oldContext);
        delivery = deliveries.take();
        assertEquals("new", delivery.handler());
        assertEquals(later.getLocalAddress(), delivery.client().getRemoteAddress());
        assertTrue(deliveries.isEmpty());
    }

    @Test
    void changingOnlyTheHandlerOnTheSameContextLosesNoPendingClient() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().create("same"));
        NetListener listener = listening("same");
        BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        listener.setClientHandler(recording("first", context, deliveries), context);
        Loopback.drain(context);

        SocketChannel pending = loopback.connect(listener.localAddress(0));
        listener.setClientHandler(recording("second", context, deliveries), context);
        Loopback.iterateUntil(context, () -> !deliveries.isEmpty());

        Delivery delivery = deliveries.take();
        assertEquals("second", delivery.handler());
        assertEquals(pending.getLocalAddress(), delivery.client().getRemoteAddress());
        Loopback.drain(context);
        assertTrue(deliveries.isEmpty());
    }

    @Test
    void aNullHandlerStopsAcceptingWithoutLosingClients() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().create("null"));
        NetListener listener = listening("null");
        BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        listener.setClientHandler(recording("h", context, deliveries), context);
        Loopback.drain(context);

        listener.setClientHandler(null, null);
        SocketChannel waiting = loopback.connect(listener.localAddress(0));
        Loopback.drain(context);

        assertTrue(deliveries.isEmpty());
        SocketChannel accepted = loopback.keep(listener.waitForClient());
        assertEquals(waiting.getLocalAddress(), accepted.getRemoteAddress());
    }

    @Test
    void aThrowingHandlerDoesNotStopLaterAccepts() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().start("throwing"));
        NetListener listener = listening("throwing");
        BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        ClientHandler record = recording("h", context, deliveries);
        listener.setClientHandler((l, client) -> {
            record.onClient(l, client);
            throw new IllegalStateException("a handler bug");
        }, context);

        for (int i = 0; i < 3; i++) {
            SocketChannel client = loopback.connect(listener.localAddress(0));
            assertEquals(client.getLocalAddress(), deliveries.take().client().getRemoteAddress());
        }
        assertTrue(listener.isConnected());
    }

    @Test
    void disconnectingFromInsideTheHandlerIsSafe() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().start("inside"));
        NetListener listener = listening("inside");
        SocketAddress address = listener.localAddress(0);
        BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        ClientHandler record = recording("h", context, deliveries);
        listener.setClientHandler((l, client) -> {
            l.disconnect();
            l.disconnect();
            record.onClient(l, client);
        }, context);

        SocketChannel client = loopback.connect(address);
        Delivery delivery = deliveries.take();
        Loopback.settle(context);

        assertEquals(client.getLocalAddress(), delivery.client().getRemoteAddress());
        assertTrue(delivery.client().isOpen(), "the handler's client is the handler's to close");
        assertFalse(listener.isConnected());
        assertEquals(1, listener.socketCount());
        assertEquals(address, listener.localAddress(0));
        assertThrows(ConnectException.class, () -> loopback.connect(address));
        assertTrue(deliveries.isEmpty());
    }

    @Test
    void disconnectClosesEverySocketOnceAndIsIdempotent() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().start("disconnect"));
        // The JDK opens a descriptor of its own on the first close of a
        // watched channel (once per JVM); let that happen before counting.
        NetListener warmUp = listening("warm-up");
        warmUp.setClientHandler((l, client) -> { }, context);
        Loopback.settle(context);
        warmUp.disconnect();
        Loopback.settle(context);
        NetListener listener = loopback.keep(new NetListener("disconnect"));
        listener.open(Loopback.ipv4(0), 8);
        listener.open(Loopback.ipv4(0), 8);
        List<SocketAddress> addresses = listener.localAddresses();
        BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        listener.setClientHandler(recording("h", context, deliveries), context);
        // The context watches both sockets now (registered with its selector).
        Loopback.settle(context);
        long fds = Loopback.openFds();

        listener.disconnect();
        Loopback.settle(context);

        assertEquals(fds - 2, Loopback.openFds(), "both listening descriptors are released");
        assertFalse(listener.isConnected());
        for (SocketAddress address : addresses) {
            assertThrows(ConnectException.class, () -> loopback.connect(address));
        }
        listener.disconnect();
        listener.close();
        Loopback.settle(context);
        assertEquals(fds - 2, Loopback.openFds());
        // A handler set afterwards is ignored; nothing is watched again.
        listener.setClientHandler(recording("late", context, deliveries), context);
        assertTrue(deliveries.isEmpty());
        assertEquals(2, listener.socketCount());
    }

    @Test
    void socketsOpenedWhileAHandlerIsSetAreWatchedToo() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().start("added"));
        NetListener listener = listening("added");
        BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        listener.setClientHandler(recording("h", context, deliveries), context);

        listener.open(Loopback.ipv4(0), 8);
        SocketChannel client = loopback.connect(listener.localAddress(1));

        assertEquals(client.getLocalAddress(), deliveries.take().client().getRemoteAddress());
    }

    @Test
    void aClosedContextIsRefusedAndLeavesNoHandler() throws Exception {
        EventContext context = runtime.contexts().create("closed");
        context.close();
        NetListener listener = listening("closed");

        assertThrows(RejectedExecutionException.class,
                () -> listener.setClientHandler((l, client) -> { }, context));
        NullPointerException missing = assertThrows(NullPointerException.class,
                () -> listener.setClientHandler((l, client) -> { }, null));
        assertEquals("context", missing.getMessage());
        // Without a handler, a client waits for waitForClient.
        SocketChannel client = loopback.connect(listener.localAddress(0));
        assertEquals(client.getLocalAddress(), loopback.keep(listener.waitForClient()).getRemoteAddress());
    }

    @Test
    void aUnixDomainListenerAcceptsAUnixDomainClient(@TempDir Path directory) throws Exception {
        EventContext context = loopback.keep(runtime.contexts().start("unix"));
        Path path = directory.resolve("listener.sock");
        NetListener listener = loopback.keep(new NetListener("unix"));
        listener.open(UnixDomainSocketAddress.of(path), 4);
        assertEquals(UnixDomainSocketAddress.of(path), listener.localAddress(0));
        assertEquals("listener 'unix' (listening on unix:" + path + ")", listener.toString());
        assertTrue(Files.exists(path));
        BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        listener.setClientHandler(recording("h", context, deliveries), context);

        SocketChannel client = loopback.connect(UnixDomainSocketAddress.of(path));
        Delivery delivery = deliveries.take();
        assertTrue(delivery.inContext());
        assertTrue(delivery.client().getLocalAddress() instanceof UnixDomainSocketAddress);
        Loopback.writeFully(client, new byte[] {1, 2, 3});
        assertEquals(List.of((byte) 1, (byte) 2, (byte) 3), bytes(Loopback.readFully(delivery.client(), 3)));

        listener.disconnect();
        assertFalse(Files.exists(path), "the socket file is removed on disconnect");
        assertNull(deliveries.poll());
    }

    private static List<Byte> bytes(byte[] array) {
        List<Byte> list = new ArrayList<>();
        for (byte b : array) {
            list.add(b);
        }
        return list;
    }
}
