package task.plugins.listener;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

import task.api.EventContext;
import task.impl.TaskRuntime;

/**
 * The echo service's clients share one read buffer: what a peer that does
 * not read cannot take is the client's own to keep, and each peer gets back
 * exactly its own bytes.
 * A lost byte leaves a peer waiting for it: the timeout (in a thread of its
 * own, as this thread may be blocked in the context's selector) fails it.
 */
@Timeout(value = 60, threadMode = ThreadMode.SEPARATE_THREAD)
class EchoClientTest {
    /** Small socket buffers on the stalled side, so that the echo cannot write all it reads. */
    private static final int SMALL_BUFFER = 16 * 1024;

    @Test
    void aPeerThatStopsReadingGetsItsOwnBytesBackWhileAnotherIsServedThroughTheSharedBuffer() throws Exception {
        try (TaskRuntime runtime = TaskRuntime.start();
                ServerSocketChannel server = ServerSocketChannel.open().bind(Loopback.ipv4(0));
                SocketChannel stalled = SocketChannel.open();
                SocketChannel active = SocketChannel.open()) {
            // Driven by this thread, so that the test can look at the clients between iterations.
            EventContext context = runtime.contexts().create("echo-shared");
            EchoService echo = new EchoService(context, runtime.tasks());
            InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
            stalled.setOption(StandardSocketOptions.SO_RCVBUF, SMALL_BUFFER);
            stalled.setOption(StandardSocketOptions.SO_SNDBUF, SMALL_BUFFER);
            stalled.connect(address);
            SocketChannel servedStalled = server.accept();
            servedStalled.setOption(StandardSocketOptions.SO_SNDBUF, SMALL_BUFFER);
            servedStalled.setOption(StandardSocketOptions.SO_RCVBUF, SMALL_BUFFER);
            active.connect(address);
            SocketChannel servedActive = server.accept();
            echo.onClient(null, servedStalled);
            echo.onClient(null, servedActive);

            // The stalled peer writes far more than the buffers on its way hold, and reads nothing yet.
            byte[] stalledBytes = random(4 * 1024 * 1024, 1);
            CompletableFuture<Void> stalledWriter = inThread(context, () -> {
                Loopback.writeFully(stalled, stalledBytes);
                return null;
            });
            Loopback.iterateUntil(context, () -> echo.writingClients() == 1);

            // While the echo holds what the stalled peer has not taken, the other one is served
            // through the read buffer they share.
            byte[] activeBytes = random(1024 * 1024, 2);
            CompletableFuture<byte[]> activeEcho = inThread(context, () -> {
                Loopback.writeFully(active, activeBytes);
                return Loopback.readFully(active, activeBytes.length);
            });
            Loopback.iterateUntil(context, activeEcho::isDone);
            assertArrayEquals(activeBytes, activeEcho.get(), "the active peer got back other bytes than it sent");

            CompletableFuture<byte[]> stalledEcho = inThread(context,
                    () -> Loopback.readFully(stalled, stalledBytes.length));
            Loopback.iterateUntil(context, () -> stalledEcho.isDone() && stalledWriter.isDone());
            stalledWriter.get();
            assertArrayEquals(stalledBytes, stalledEcho.get(), "the stalled peer got back other bytes than it sent");
            assertEquals(0, echo.writingClients());
            echo.closeAll();
        }
    }

    /**
     * A peer's blocking I/O, in a thread of its own (the common pool may
     * have a single thread, which a blocked writer would hold); its end
     * wakes {@code context}, so that the test's loop checks again.
     */
    private static <T> CompletableFuture<T> inThread(EventContext context, Callable<T> io) {
        CompletableFuture<T> done = new CompletableFuture<>();
        Thread peer = new Thread(() -> {
            try {
                done.complete(io.call());
            } catch (Exception | Error e) {
                done.completeExceptionally(e);
            }
            context.post(() -> { });
        }, "echo-peer");
        peer.setDaemon(true);
        peer.start();
        return done;
    }

    @Test
    void aServedTcpClientSendsSmallWritesAtOnce() throws Exception {
        try (TaskRuntime runtime = TaskRuntime.start();
                ServerSocketChannel server = ServerSocketChannel.open().bind(Loopback.ipv4(0));
                SocketChannel peer = SocketChannel.open((InetSocketAddress) server.getLocalAddress())) {
            EchoService echo = new EchoService(runtime.defaultContext(), runtime.tasks());
            SocketChannel served = server.accept();
            CompletableFuture<Void> handed = new CompletableFuture<>();
            runtime.defaultContext().post(() -> {
                echo.onClient(null, served); // on the context's thread, as the listener does
                handed.complete(null);
            });
            handed.get(30, TimeUnit.SECONDS);
            assertTrue(served.getOption(StandardSocketOptions.TCP_NODELAY), "Nagle's algorithm is still on");
            echo.closeAll();
        }
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
