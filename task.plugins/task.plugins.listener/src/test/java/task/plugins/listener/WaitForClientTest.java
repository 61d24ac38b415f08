package task.plugins.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InterruptedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.impl.TaskRuntime;

/** Waiting synchronously for one client: qio_net_listener_wait_client. */
@Timeout(60)
class WaitForClientTest {
    private TaskRuntime runtime;
    private Loopback loopback;
    private NetListener listener;

    @BeforeEach
    void start() throws Exception {
        runtime = TaskRuntime.start();
        loopback = new Loopback();
        listener = loopback.keep(new NetListener("wait"));
        listener.open(Loopback.ipv4(0), 8);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            loopback.close();
        } finally {
            runtime.close();
        }
    }

    @Test
    void returnsAConnectedClient() throws Exception {
        SocketChannel client = loopback.connect(listener.localAddress(0));

        SocketChannel accepted = loopback.keep(listener.waitForClient());

        assertTrue(accepted.isConnected());
        assertTrue(accepted.isBlocking());
        assertEquals(client.getLocalAddress(), accepted.getRemoteAddress());
        Loopback.writeFully(client, "ping".getBytes());
        assertEquals("ping", new String(Loopback.readFully(accepted, 4)));
    }

    @Test
    void theWaiterGetsTheClientAndTheHandlerIsReArmedAfterwards() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().create("handler"));
        BlockingQueue<SocketChannel> handled = new LinkedBlockingQueue<>();
        listener.setClientHandler((l, client) -> handled.add(loopback.keep(client)), context);
        Loopback.drain(context);

        SocketChannel first = loopback.connect(listener.localAddress(0));
        SocketChannel waited = loopback.keep(listener.waitForClient());
        Loopback.drain(context);

        assertEquals(first.getLocalAddress(), waited.getRemoteAddress());
        assertTrue(handled.isEmpty(), "the waited-for client went to the waiter only");
        SocketChannel second = loopback.connect(listener.localAddress(0));
        Loopback.iterateUntil(context, () -> !handled.isEmpty());
        assertEquals(second.getLocalAddress(), handled.take().getRemoteAddress());
    }

    @Test
    void clientsArrivingDuringTheWaitAreNotLost() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().start("during"));
        BlockingQueue<SocketChannel> handled = new LinkedBlockingQueue<>();
        listener.setClientHandler((l, client) -> handled.add(loopback.keep(client)), context);
        SocketChannel one = loopback.connect(listener.localAddress(0));
        SocketChannel two = loopback.connect(listener.localAddress(0));
        // The handler may take either, both or none before the wait begins;
        // whatever it does not take, the waiter or the re-armed handler does.
        CompletableFuture<SocketChannel> waiter = CompletableFuture.supplyAsync(() -> loopback.keep(waitQuietly()));
        // Either it waits, or it took a client still pending (the handler had not).
        Loopback.spinUntil(() -> listener.isWaiting() || waiter.isDone());
        // The handler's watches are suspended now (or resumed): no client can be lost either way.
        SocketChannel three = loopback.connect(listener.localAddress(0));

        SocketChannel waited = waiter.get();
        java.util.Set<java.net.SocketAddress> seen = new java.util.HashSet<>();
        seen.add(waited.getRemoteAddress());
        while (seen.size() < 3) {
            seen.add(handled.take().getRemoteAddress());
        }
        assertEquals(java.util.Set.of(one.getLocalAddress(), two.getLocalAddress(), three.getLocalAddress()), seen);
    }

    @Test
    void disconnectingEndsAWait() throws Exception {
        CompletableFuture<SocketChannel> waiter = CompletableFuture.supplyAsync(this::waitQuietly);
        Loopback.spinUntil(() -> listener.isWaiting() || waiter.isDone());

        listener.disconnect();

        ExecutionException failure = assertThrows(ExecutionException.class, waiter::get);
        assertInstanceOf(AsynchronousCloseException.class, failure.getCause().getCause());
        assertTrue(!listener.isWaiting());
    }

    @Test
    void interruptingEndsAWaitAndReArmsTheHandler() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().start("interrupted"));
        BlockingQueue<SocketChannel> handled = new LinkedBlockingQueue<>();
        listener.setClientHandler((l, client) -> handled.add(loopback.keep(client)), context);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                listener.waitForClient().close();
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(Thread.currentThread().isInterrupted() ? e : new AssertionError("not interrupted", e));
            }
        }, "waiter");
        waiter.start();
        Loopback.spinUntil(() -> listener.isWaiting() || outcome.isDone());

        waiter.interrupt();

        assertInstanceOf(InterruptedIOException.class, outcome.get());
        waiter.join();
        SocketChannel client = loopback.connect(listener.localAddress(0));
        assertEquals(client.getLocalAddress(), handled.take().getRemoteAddress());
    }

    @Test
    void waitingNeedsASocket() throws Exception {
        NetListener empty = loopback.keep(new NetListener("empty"));
        IllegalStateException none = assertThrows(IllegalStateException.class, empty::waitForClient);
        assertEquals("listen: listener 'empty' has no socket to wait on", none.getMessage());

        listener.disconnect();
        IllegalStateException closed = assertThrows(IllegalStateException.class, listener::waitForClient);
        assertEquals("listen: listener 'wait' is disconnected", closed.getMessage());
    }

    private SocketChannel waitQuietly() {
        try {
            return listener.waitForClient();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
