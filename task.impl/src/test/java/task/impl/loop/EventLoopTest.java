package task.impl.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.EventSource;
import task.impl.TestSupport;
import task.impl.log.Reporter;

/** The event context: posted events, timers, I/O watches, failures and closing. */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class EventLoopTest {
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final Reporter reporter = new Reporter() {
        @Override
        public void warn(String message, Throwable failure) {
            warnings.add(message);
        }

        @Override
        public void debug(String message, Throwable failure) {
        }
    };
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private EventLoop driven(String name) {
        EventLoop loop = EventLoop.driven(name, reporter);
        toClose.add(loop);
        return loop;
    }

    private EventLoop started(String name) {
        EventLoop loop = EventLoop.started(name, reporter, true, EventLoop.DEFAULT_CLOSE_GRACE);
        toClose.add(loop);
        return loop;
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        toClose.add(resource);
        return resource;
    }

    // ------------------------------------------------------------------ posted events

    /**
     * A watch's callback that drives its own context again (a nested
     * iteration, allowed by {@code iterate}) while another channel is ready
     * too: each ready watch runs once, and nothing is reported.
     */
    @Test
    void aWatchCallbackMayIterateItsOwnContextWhileAnotherChannelIsReady() throws IOException {
        EventLoop loop = driven("nested-io");
        List<AtomicInteger> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Pipe pipe = Pipe.open();
            closeLater(pipe.sink());
            Pipe.SourceChannel source = closeLater(pipe.source());
            source.configureBlocking(false);
            AtomicInteger count = new AtomicInteger();
            runs.add(count);
            loop.watch(source, SelectionKey.OP_READ, ready -> {
                try {
                    source.read(ByteBuffer.allocate(16)); // drained: ready no more
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                if (count.incrementAndGet() == 1) {
                    loop.iterate(false);
                }
                return true;
            });
            pipe.sink().write(ByteBuffer.wrap(new byte[] { 1 }));
        }
        TestSupport.driveUntil(loop, () -> runs.get(0).get() > 0 && runs.get(1).get() > 0);
        loop.iterate(false);
        assertEquals(1, runs.get(0).get(), "the first watch's runs");
        assertEquals(1, runs.get(1).get(), "the second watch's runs");
        assertEquals(List.of(), warnings);
    }

    @Test
    void postedEventsRunInOrderOnTheDrivingThreadAndCanBeCancelled() {
        EventLoop loop = driven("posted");
        List<Integer> ran = new ArrayList<>();
        AtomicBoolean inContext = new AtomicBoolean();
        loop.post(() -> ran.add(1));
        EventSource cancelled = loop.post(() -> ran.add(2));
        loop.post(() -> {
            ran.add(3);
            inContext.set(loop.inContext());
        });
        assertTrue(cancelled.cancel());
        assertFalse(cancelled.cancel(), "idempotent");
        assertFalse(cancelled.isActive());
        assertFalse(loop.inContext());

        TestSupport.driveUntil(loop, () -> ran.size() == 2);
        assertEquals(List.of(1, 3), ran);
        assertTrue(inContext.get());
        assertFalse(loop.iterate(false), "nothing left to dispatch");
    }

    @Test
    void iterateIsRefusedWhileAnotherThreadDrives() {
        EventLoop own = started("own-thread");
        assertThrows(IllegalStateException.class, () -> own.iterate(false));
        EventLoop loop = driven("driven");
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        AtomicBoolean done = new AtomicBoolean();
        loop.post(() -> {
            CompletableFuture.runAsync(() -> loop.iterate(false))
                    .whenComplete((ok, failure) -> refused.complete(failure));
            TestSupport.get(refused);
            done.set(true);
        });
        TestSupport.driveUntil(loop, done::get);
        assertTrue(refused.join().getCause() instanceof IllegalStateException);
    }

    // ------------------------------------------------------------------ timers

    @Test
    void oneShotTimerRunsOnce() {
        EventLoop loop = driven("one-shot");
        AtomicInteger fired = new AtomicInteger();
        EventSource timer = loop.schedule(Duration.ofMillis(2), fired::incrementAndGet);
        assertTrue(timer.isActive());
        TestSupport.driveUntil(loop, () -> fired.get() > 0);
        assertFalse(timer.isActive());
        assertFalse(timer.cancel(), "already fired");
        AtomicBoolean later = new AtomicBoolean();
        loop.schedule(Duration.ofMillis(5), () -> later.set(true));
        TestSupport.driveUntil(loop, later::get);
        assertEquals(1, fired.get());
    }

    @Test
    void repeatingTimerRunsUntilTickReturnsFalse() {
        EventLoop loop = driven("repeating");
        AtomicInteger ticks = new AtomicInteger();
        EventSource timer = loop.every(Duration.ofMillis(1), () -> ticks.incrementAndGet() < 3);
        TestSupport.driveUntil(loop, () -> !timer.isActive());
        assertEquals(3, ticks.get());
        AtomicBoolean later = new AtomicBoolean();
        loop.schedule(Duration.ofMillis(5), () -> later.set(true));
        TestSupport.driveUntil(loop, later::get);
        assertEquals(3, ticks.get(), "no tick after it returned false");
    }

    @Test
    void cancelledTimerNeverFires() {
        EventLoop loop = driven("cancel-timer");
        AtomicInteger fired = new AtomicInteger();
        EventSource timer = loop.schedule(Duration.ofMillis(1), fired::incrementAndGet);
        EventSource repeating = loop.every(Duration.ofMillis(1), () -> fired.incrementAndGet() > 0);
        assertTrue(timer.cancel());
        assertTrue(repeating.cancel());
        assertFalse(timer.isActive());
        AtomicBoolean later = new AtomicBoolean();
        loop.schedule(Duration.ofMillis(5), () -> later.set(true));
        TestSupport.driveUntil(loop, later::get);
        assertEquals(0, fired.get());
    }

    @Test
    void repeatingTimerCancelledFromItsOwnTickStops() {
        EventLoop loop = driven("cancel-self");
        AtomicInteger ticks = new AtomicInteger();
        AtomicReference<EventSource> self = new AtomicReference<>();
        self.set(loop.every(Duration.ofMillis(1), () -> {
            if (ticks.incrementAndGet() == 2) {
                self.get().cancel();
            }
            return true;
        }));
        TestSupport.driveUntil(loop, () -> ticks.get() >= 2);
        AtomicBoolean later = new AtomicBoolean();
        loop.schedule(Duration.ofMillis(5), () -> later.set(true));
        TestSupport.driveUntil(loop, later::get);
        assertEquals(2, ticks.get());
    }

    @Test
    void timersFireInDeadlineOrderThenSchedulingOrder() {
        EventLoop loop = driven("order");
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        loop.schedule(Duration.ofMillis(30), () -> order.add("late"));
        loop.schedule(Duration.ofMillis(1), () -> order.add("early"));
        TestSupport.driveUntil(loop, () -> order.size() == 2);
        assertEquals(List.of("early", "late"), order);

        order.clear();
        loop.schedule(Duration.ZERO, () -> order.add("first"));
        loop.schedule(Duration.ZERO, () -> order.add("second"));
        TestSupport.driveUntil(loop, () -> order.size() == 2);
        assertEquals(List.of("first", "second"), order);
    }

    @Test
    void timerArgumentsAreChecked() {
        EventLoop loop = driven("args");
        assertThrows(IllegalArgumentException.class, () -> loop.schedule(Duration.ofMillis(-1), () -> { }));
        assertThrows(IllegalArgumentException.class, () -> loop.every(Duration.ZERO, () -> true));
        assertThrows(IllegalArgumentException.class, () -> loop.every(Duration.ofMillis(-1), () -> true));
    }

    // ------------------------------------------------------------------ I/O watches

    private ServerSocketChannel listen() throws IOException {
        ServerSocketChannel server = closeLater(ServerSocketChannel.open());
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server.configureBlocking(false);
        return server;
    }

    @Test
    void acceptAndReadWatchesOnALoopbackSocket() throws IOException {
        EventLoop loop = driven("io");
        ServerSocketChannel server = listen();
        AtomicReference<SocketChannel> accepted = new AtomicReference<>();
        AtomicInteger acceptCalls = new AtomicInteger();
        AtomicInteger readyOpsSeen = new AtomicInteger();
        EventSource acceptWatch = loop.watch(server, SelectionKey.OP_ACCEPT, ready -> {
            acceptCalls.incrementAndGet();
            readyOpsSeen.set(ready);
            try {
                SocketChannel client = server.accept();
                if (client == null) {
                    return true;
                }
                accepted.set(closeLater(client));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return false; // one client is enough: removes the watch
        });
        SocketChannel client = closeLater(SocketChannel.open(server.getLocalAddress()));
        TestSupport.driveUntil(loop, () -> accepted.get() != null);
        assertEquals(SelectionKey.OP_ACCEPT, readyOpsSeen.get());
        assertFalse(acceptWatch.isActive(), "returning false removed the watch");

        SocketChannel peer = accepted.get();
        peer.configureBlocking(false);
        StringBuilder received = new StringBuilder();
        AtomicInteger onceCalls = new AtomicInteger();
        AtomicInteger cancelledCalls = new AtomicInteger();
        EventSource reader = loop.watch(peer, SelectionKey.OP_READ, ready -> {
            assertEquals(SelectionKey.OP_READ, ready);
            ByteBuffer buffer = ByteBuffer.allocate(64);
            try {
                int n = peer.read(buffer);
                received.append(new String(buffer.array(), 0, Math.max(n, 0), StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return true;
        });
        EventSource once = loop.watch(peer, SelectionKey.OP_READ, ready -> {
            onceCalls.incrementAndGet();
            return false;
        });
        EventSource cancelled = loop.watch(peer, SelectionKey.OP_READ, ready -> {
            cancelledCalls.incrementAndGet();
            return true;
        });
        assertTrue(cancelled.cancel());
        assertFalse(cancelled.isActive());

        client.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
        TestSupport.driveUntil(loop, () -> received.length() == 5);
        client.write(ByteBuffer.wrap(" again".getBytes(StandardCharsets.US_ASCII)));
        TestSupport.driveUntil(loop, () -> received.length() == 11);

        assertEquals("hello again", received.toString());
        assertEquals(1, onceCalls.get(), "a watch returning false fires no more");
        assertFalse(once.isActive());
        assertEquals(0, cancelledCalls.get(), "a cancelled watch never fires");
        assertTrue(reader.isActive());
        assertTrue(reader.cancel());
        assertEquals(1, acceptCalls.get());

        // The listener can be watched again once its first watch is gone.
        AtomicBoolean second = new AtomicBoolean();
        loop.watch(server, SelectionKey.OP_ACCEPT, ready -> {
            try {
                SocketChannel c = server.accept();
                if (c != null) {
                    closeLater(c);
                    second.set(true);
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return !second.get();
        });
        closeLater(SocketChannel.open(server.getLocalAddress()));
        TestSupport.driveUntil(loop, second::get);
    }

    @Test
    void watchRejectsBadArguments() throws IOException {
        EventLoop loop = driven("io-args");
        SocketChannel blocking = closeLater(SocketChannel.open());
        assertTrue(blocking.isBlocking());
        assertThrows(IllegalArgumentException.class, () -> loop.watch(blocking, SelectionKey.OP_READ, r -> true));
        ServerSocketChannel server = listen();
        assertThrows(IllegalArgumentException.class, () -> loop.watch(server, SelectionKey.OP_READ, r -> true),
                "OP_READ is not valid on a server channel");
        assertThrows(IllegalArgumentException.class, () -> loop.watch(server, 0, r -> true));
        ServerSocketChannel closed = ServerSocketChannel.open();
        closed.configureBlocking(false);
        closed.close();
        assertThrows(IllegalArgumentException.class, () -> loop.watch(closed, SelectionKey.OP_ACCEPT, r -> true));
    }

    // ------------------------------------------------------------------ failures do not stop the loop

    @Test
    void throwingCallbacksDoNotStopTheLoop() throws IOException {
        EventLoop loop = driven("throwing");
        AtomicBoolean after = new AtomicBoolean();
        loop.post(() -> {
            throw new IllegalStateException("event failure (expected by the test)");
        });
        loop.post(() -> after.set(true));
        TestSupport.driveUntil(loop, after::get);
        assertEquals(1, warnings.size());

        AtomicInteger ticks = new AtomicInteger();
        EventSource timer = loop.every(Duration.ofMillis(1), () -> {
            if (ticks.incrementAndGet() == 1) {
                throw new IllegalStateException("timer failure (expected by the test)");
            }
            return ticks.get() < 3;
        });
        AtomicBoolean oneShotAfter = new AtomicBoolean();
        loop.schedule(Duration.ZERO, () -> {
            throw new Error("one-shot failure (expected by the test)");
        });
        loop.schedule(Duration.ofMillis(1), () -> oneShotAfter.set(true));
        TestSupport.driveUntil(loop, () -> !timer.isActive() && oneShotAfter.get());
        assertEquals(3, ticks.get(), "a throwing repeating timer is kept");
        assertEquals(3, warnings.size());

        ServerSocketChannel server = listen();
        AtomicInteger ioCalls = new AtomicInteger();
        AtomicBoolean acceptedOk = new AtomicBoolean();
        EventSource watch = loop.watch(server, SelectionKey.OP_ACCEPT, ready -> {
            if (ioCalls.incrementAndGet() == 1) {
                throw new IllegalStateException("I/O failure (expected by the test)");
            }
            try {
                SocketChannel c = server.accept();
                if (c != null) {
                    closeLater(c);
                    acceptedOk.set(true);
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return true;
        });
        closeLater(SocketChannel.open(server.getLocalAddress()));
        TestSupport.driveUntil(loop, acceptedOk::get);
        assertTrue(watch.isActive(), "a throwing I/O callback keeps its watch");
        assertEquals(4, warnings.size());
        AtomicBoolean last = new AtomicBoolean();
        loop.post(() -> last.set(true));
        TestSupport.driveUntil(loop, last::get);
    }

    @Test
    void throwingEventDoesNotStopAnOwnThreadLoop() {
        EventLoop loop = started("own-throwing");
        loop.post(() -> {
            throw new IllegalStateException("event failure (expected by the test)");
        });
        CompletableFuture<Thread> after = new CompletableFuture<>();
        loop.post(() -> after.complete(Thread.currentThread()));
        assertEquals("own-throwing", TestSupport.get(after).getName());
    }

    // ------------------------------------------------------------------ closing

    @Test
    void closeRunsPendingEventsDropsTimersAndRejectsLaterPosts() {
        EventLoop loop = started("closing");
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicReference<Thread> pendingThread = new AtomicReference<>();
        AtomicInteger timerFired = new AtomicInteger();
        loop.post(() -> {
            blocked.countDown();
            TestSupport.await(gate);
        });
        EventSource timer = loop.schedule(Duration.ZERO, timerFired::incrementAndGet);
        loop.post(() -> pendingThread.set(Thread.currentThread()));
        TestSupport.await(blocked);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(loop::close);
        TestSupport.spinUntil(loop::isClosed);
        assertThrows(RejectedExecutionException.class, () -> loop.post(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> loop.schedule(Duration.ZERO, () -> { }));
        gate.countDown();
        TestSupport.get(closing);

        assertEquals("closing", pendingThread.get().getName(), "an event posted before close ran on the context");
        assertEquals(0, timerFired.get(), "timers are removed without firing");
        assertFalse(timer.isActive());
        loop.close(); // idempotent
    }

    @Test
    void closeOfACallerDrivenContext() {
        EventLoop loop = driven("closing-driven");
        AtomicInteger ran = new AtomicInteger();
        loop.post(ran::incrementAndGet);
        loop.post(ran::incrementAndGet);
        loop.close();
        assertEquals(2, ran.get(), "pending events ran before the close returned");
        assertTrue(loop.isClosed());
        assertThrows(RejectedExecutionException.class, () -> loop.post(() -> { }));
        assertThrows(IllegalStateException.class, () -> loop.iterate(false));
    }

    @Test
    void closeFromInsideAnIteration() {
        EventLoop loop = driven("close-inside");
        AtomicInteger ran = new AtomicInteger();
        loop.post(() -> {
            loop.close(); // returns at once on the driving thread
            ran.incrementAndGet();
        });
        loop.post(ran::incrementAndGet);
        loop.iterate(false);
        assertEquals(2, ran.get());
        assertTrue(loop.isClosed());
        assertThrows(IllegalStateException.class, () -> loop.iterate(false));
    }

    @Test
    void defaultContextCannotBeClosedByUsers() {
        EventLoop loop = EventLoop.started("not-closable", reporter, false, EventLoop.DEFAULT_CLOSE_GRACE);
        try {
            assertThrows(UnsupportedOperationException.class, loop::close);
            assertFalse(loop.isClosed());
        } finally {
            loop.shutdown();
        }
        assertTrue(loop.isClosed());
    }

    @Test
    void factoryContexts() {
        LoopFactory factory = new LoopFactory(reporter, new LoopDirectory(Duration.ZERO), EventLoop.DEFAULT_CLOSE_GRACE);
        EventContext driven = factory.create("f-driven");
        EventContext own = factory.start("f-own");
        CompletableFuture<Boolean> onOwn = new CompletableFuture<>();
        own.post(() -> onOwn.complete(own.inContext() && Thread.currentThread().getName().equals("f-own")));
        assertTrue(TestSupport.get(onOwn));
        assertThrows(IllegalArgumentException.class, () -> factory.create(" "));
        factory.closeAll();
        assertTrue(driven.isClosed());
        assertTrue(own.isClosed());
        assertThrows(IllegalStateException.class, () -> factory.create("late"));
        assertSame(EventContext.DEFAULT_NAME, "default");
    }
}
