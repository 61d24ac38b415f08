package task.impl.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.ContextInfo;
import task.api.EventContext;
import task.api.EventSource;
import task.api.Task;
import task.api.TaskCancelledException;
import task.api.TaskState;
import task.impl.TaskRuntime;
import task.impl.TestSupport;

/**
 * An executor adopted as a context, on the real Swing event thread (the
 * test JVM runs headless; the event thread runs all the same): posts,
 * timers and I/O watches hop onto it, {@code inContext()} tells it, closing
 * and failures keep the policy of every context. Ordering is proven by the
 * event queue's FIFO ({@code invokeAndWait} of an empty runnable runs after
 * whatever was queued before) and by the shared thread's iteration order
 * (I/O, then timers), never by time.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS) // hang guard only
class ExecutorContextTest {
    private final RecordingReporter reporter = new RecordingReporter();
    private final LoopDirectory directory = new LoopDirectory(Duration.ZERO);
    private final LoopFactory factory = new LoopFactory(reporter, directory, EventLoop.DEFAULT_CLOSE_GRACE);
    private final List<AutoCloseable> toClose = new ArrayList<>();
    /** What escaped into a thread's uncaught-exception handling (the event thread's included). */
    private final List<Throwable> escaped = new CopyOnWriteArrayList<>();
    private Thread.UncaughtExceptionHandler previousHandler;

    @BeforeEach
    void recordEscapes() {
        assertTrue(GraphicsEnvironment.isHeadless(), "the test JVM runs headless (surefire: java.awt.headless)");
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, failure) -> escaped.add(failure));
    }

    @AfterEach
    void closeAll() throws Exception {
        try {
            for (int i = toClose.size() - 1; i >= 0; i--) {
                toClose.get(i).close();
            }
            factory.closeAll();
            directory.close();
            assertFalse(hopsThreadAlive(), "the shared thread ended with the runtime's contexts");
            assertEquals(List.of(), escaped, "nothing escaped into the event thread");
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previousHandler);
        }
    }

    private EventContext swing(String name) {
        return factory.adopt(name, EventQueue::invokeLater, EventQueue::isDispatchThread);
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        toClose.add(resource);
        return resource;
    }

    // ------------------------------------------------------------------ tasks and inContext

    @Test
    void aTaskCompletesOnTheEventThreadExactlyOnce() throws Exception {
        try (TaskRuntime runtime = TaskRuntime.start()) {
            EventContext swing = runtime.contexts().adopt("task-test-swing", EventQueue::invokeLater,
                    EventQueue::isDispatchThread);
            assertTrue(runtime.inspector().contexts().stream().anyMatch(info -> info.name().equals("task-test-swing")
                    && info.status().contains("[executor") && info.status().contains("open")),
                    () -> "listed: " + runtime.inspector().contexts());
            AtomicInteger calls = new AtomicInteger();
            AtomicInteger cleanups = new AtomicInteger();
            CompletableFuture<String> delivered = new CompletableFuture<>();
            Task<String, Integer> task = runtime.tasks().<String, Integer>builder("swing", done -> {
                calls.incrementAndGet();
                Throwable error = done.propagateError();
                delivered.complete(error != null ? "failed: " + error
                        : done.result() + " on the event thread " + EventQueue.isDispatchThread() + ", in context "
                                + swing.inContext());
            }).context(swing).cleanup(cleanups::incrementAndGet).create();
            task.runInThread(running -> running.setResult(running.source().length()), null, swing);
            assertEquals("5 on the event thread true, in context true", TestSupport.get(delivered));
            flushEventQueue(); // the task finished in the same event as its callback; nothing else is queued
            assertEquals(1, calls.get(), "the callback ran once");
            assertEquals(1, cleanups.get(), "the cleanup ran once");
            assertEquals(TaskState.FINISHED, task.state());

            // Cancelled while its worker runs: the early completion comes on the event thread too.
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> cancelled = new CompletableFuture<>();
            Task<String, Integer> blocked = runtime.tasks().<String, Integer>builder("blocked", done -> cancelled
                    .complete(EventQueue.isDispatchThread() + " " + done.propagateError().getClass().getSimpleName()))
                    .context(swing).create();
            blocked.runInThread(running -> release.await(), null, swing);
            blocked.cancel(false);
            assertEquals("true " + TaskCancelledException.class.getSimpleName(), TestSupport.get(cancelled));
            release.countDown();
        }
        assertFalse(hopsThreadAlive());
    }

    @Test
    void inContextOnTheEventThreadWithItsTestAndWhileOurEventsRunWithout() throws Exception {
        EventContext withTest = swing("with-test");
        EventContext without = factory.adopt("without-test", EventQueue::invokeLater);
        EventContext other = factory.adopt("other", EventQueue::invokeLater);
        assertFalse(withTest.inContext(), "test thread");
        assertFalse(without.inContext(), "test thread");
        assertFalse(TestSupport.get(CompletableFuture.supplyAsync(withTest::inContext)), "a pool thread");

        boolean[] outside = new boolean[2];
        EventQueue.invokeAndWait(() -> {
            outside[0] = withTest.inContext();
            outside[1] = without.inContext();
        });
        assertTrue(outside[0], "on the event thread outside our events, with the executor's test");
        assertFalse(outside[1], "on the event thread outside our events, without a test");

        CompletableFuture<List<Boolean>> inside = new CompletableFuture<>();
        without.post(() -> inside.complete(List.of(without.inContext(), withTest.inContext(), other.inContext(),
                EventQueue.isDispatchThread())));
        assertEquals(List.of(true, true, false, true), TestSupport.get(inside),
                "in our event: this context yes, the one with a test yes, another one without a test no");
        assertFalse(without.inContext(), "test thread, after");
    }

    @Test
    void closedByTheEventThreadOutsideItsEventsAContextWithoutATestDoesNotWaitForItself() throws Exception {
        // A short grace: a close that waited for itself would give up soon, and say so.
        LoopFactory shortGrace = new LoopFactory(reporter, directory, Duration.ofMillis(100));
        toClose.add(shortGrace::closeAll);
        EventContext without = shortGrace.adopt("closed-by-a-listener", EventQueue::invokeLater);
        CompletableFuture<Void> warm = new CompletableFuture<>();
        without.post(() -> warm.complete(null)); // the event thread has run one of its events
        TestSupport.get(warm);
        AtomicInteger ran = new AtomicInteger();
        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        EventQueue.invokeLater(() -> { // a listener of the UI, not one of the context's events
            without.post(ran::incrementAndGet); // queued behind this very runnable
            without.close(); // returns at once: nothing this thread must run first is awaited
            closed.complete(ran.get() == 0 && without.isClosed());
        });
        assertTrue(TestSupport.get(closed));
        without.close(); // off the event thread: waits until the event posted before the close ran
        assertEquals(1, ran.get());
        assertEquals(List.of(), reporter.containing("gave up"), "no close waited for itself");
    }

    // ------------------------------------------------------------------ timers

    @Test
    void scheduleHopsOntoTheEventThreadAndCancelStopsAHopAlreadyQueued() throws Exception {
        CountingExecutor edt = new CountingExecutor();
        EventContext swing = factory.adopt("timers", edt, EventQueue::isDispatchThread);
        CompletableFuture<Boolean> fired = new CompletableFuture<>();
        swing.schedule(Duration.ofMillis(1), () -> fired.complete(EventQueue.isDispatchThread() && swing.inContext()));
        assertTrue(TestSupport.get(fired));

        AtomicInteger ran = new AtomicInteger();
        CountDownLatch unblock = blockEventThread(() -> { });
        int before = edt.handed.availablePermits();
        EventSource timer = swing.schedule(Duration.ZERO, ran::incrementAndGet);
        edt.awaitHanded(before + 1); // due, and handed to the (blocked) event thread
        assertTrue(timer.cancel(), "cancelled while its event waits on the event thread");
        assertFalse(timer.isActive());
        unblock.countDown();
        flushEventQueue();
        assertEquals(0, ran.get(), "a cancelled timer's queued event does not run");

        EventSource far = swing.schedule(Duration.ofDays(1), ran::incrementAndGet);
        assertTrue(far.cancel());
        assertFalse(far.cancel(), "idempotent");
        assertFalse(far.isActive());
        assertEquals(0, ran.get());
    }

    @Test
    void everyHopsOntoTheEventThreadUntilFalseOrCancelled() throws Exception {
        EventContext swing = swing("ticks");
        List<Boolean> onEventThread = new CopyOnWriteArrayList<>();
        AtomicInteger ticks = new AtomicInteger();
        CompletableFuture<Void> third = new CompletableFuture<>();
        EventSource every = swing.every(Duration.ofMillis(1), () -> {
            onEventThread.add(EventQueue.isDispatchThread());
            if (ticks.incrementAndGet() == 3) {
                third.complete(null);
                return false;
            }
            return true;
        });
        TestSupport.get(third);
        awaitMarkerThroughTheSharedThread(swing); // and the tick has returned
        assertFalse(every.isActive(), "ended by its tick");
        assertEquals(3, ticks.get(), "no tick after the one that returned false");
        assertEquals(List.of(true, true, true), onEventThread);

        // Cancelled from inside its second tick, which then returns true.
        AtomicInteger cancelledTicks = new AtomicInteger();
        AtomicReference<EventSource> self = new AtomicReference<>();
        CountDownLatch second = new CountDownLatch(1);
        CountDownLatch unblock = blockEventThread(() -> { });
        self.set(swing.every(Duration.ofMillis(1), () -> {
            if (cancelledTicks.incrementAndGet() == 2) {
                assertTrue(self.get().cancel());
                second.countDown();
            }
            return true;
        }));
        unblock.countDown(); // the ticks start after self is set (the latch orders it)
        TestSupport.await(second);
        awaitMarkerThroughTheSharedThread(swing);
        assertEquals(2, cancelledTicks.get(), "no tick after the cancel");
        assertFalse(self.get().isActive());
    }

    // ------------------------------------------------------------------ watches

    @Test
    void watchOnLoopbackCallsBackOnTheEventThreadAndStopsAfterFalse() throws Exception {
        EventContext swing = swing("watch");
        try (SocketPair pair = new SocketPair()) {
            List<String> read = new CopyOnWriteArrayList<>();
            List<Boolean> onEventThread = new CopyOnWriteArrayList<>();
            AtomicInteger calls = new AtomicInteger();
            CompletableFuture<Void> first = new CompletableFuture<>();
            CompletableFuture<Void> second = new CompletableFuture<>();
            EventSource watch = swing.watch(pair.accepted, SelectionKey.OP_READ, ready -> {
                onEventThread.add(EventQueue.isDispatchThread() && swing.inContext());
                read.add(pair.readAccepted());
                if (calls.incrementAndGet() == 1) {
                    first.complete(null);
                    return true;
                }
                // Signalled in a later event: after this callback returned and the context decided on re-arming.
                EventQueue.invokeLater(() -> second.complete(null));
                return false;
            });
            pair.writeClient("a");
            TestSupport.get(first);
            pair.writeClient("b");
            TestSupport.get(second);
            assertFalse(watch.isActive(), "ended by its callback");

            pair.writeClient("c"); // left unread: the channel stays readable
            awaitMarkerThroughTheSharedThread(swing); // the shared thread looks at I/O before timers
            assertEquals(2, calls.get(), "no callback after the one that returned false");
            assertEquals(List.of("a", "b"), read);
            assertEquals(List.of(true, true), onEventThread);
        }
    }

    // ------------------------------------------------------------------ closing

    @Test
    void closeRunsPostedEventsAndDropsTheQueuedHopsOfTimersAndWatches() throws Exception {
        CountingExecutor edt = new CountingExecutor();
        EventContext swing = factory.adopt("closing", edt, EventQueue::isDispatchThread);
        try (SocketPair pair = new SocketPair()) {
            pair.writeClient("x"); // readable from the start
            AtomicInteger ticks = new AtomicInteger();
            AtomicInteger fired = new AtomicInteger();
            AtomicInteger watched = new AtomicInteger();
            AtomicInteger posted = new AtomicInteger();
            CompletableFuture<Boolean> closedOnTheEventThread = new CompletableFuture<>();
            // The event thread is busy until released, then closes the context first of all.
            CountDownLatch unblock = blockEventThread(() -> {
                swing.close(); // on the executor's thread: returns at once
                closedOnTheEventThread.complete(swing.isClosed());
            });
            EventSource tick = swing.every(Duration.ofMillis(1), () -> ticks.incrementAndGet() > 0);
            EventSource once = swing.schedule(Duration.ZERO, fired::incrementAndGet);
            EventSource watch = swing.watch(pair.accepted, SelectionKey.OP_READ, ready -> watched.incrementAndGet() > 0);
            edt.awaitHanded(3); // the tick's, the timer's and the watch's callbacks wait on the event thread
            EventSource event = swing.post(posted::incrementAndGet); // posted before the close: it runs
            EventSource far = swing.schedule(Duration.ofDays(1), fired::incrementAndGet);

            unblock.countDown();
            assertTrue(TestSupport.get(closedOnTheEventThread));
            swing.close(); // off the event thread: waits until the executor ran everything it was handed
            assertTrue(swing.isClosed());
            assertEquals(0, ticks.get(), "the tick's queued hop was dropped");
            assertEquals(0, fired.get(), "the timer's queued hop was dropped");
            assertEquals(0, watched.get(), "the watch's queued hop was dropped");
            assertEquals(1, posted.get(), "the event posted before the close ran, as on every context");
            for (EventSource source : List.of(tick, once, watch, event, far)) {
                assertFalse(source.isActive());
            }
            assertFalse(hopsThreadAlive(), "the last adopted context closed: the shared thread ended");
            assertFalse(pair.accepted.isRegistered(), "the watch's selector registration is gone");
            assertFalse(directory.describeOpen().stream().anyMatch(info -> info.name().equals("closing")));

            assertThrows(RejectedExecutionException.class, () -> swing.post(posted::incrementAndGet));
            assertThrows(RejectedExecutionException.class, () -> swing.schedule(Duration.ZERO, fired::incrementAndGet));
            assertThrows(RejectedExecutionException.class, () -> swing.every(Duration.ofMillis(1), () -> true));
            assertThrows(RejectedExecutionException.class,
                    () -> swing.watch(pair.accepted, SelectionKey.OP_READ, ready -> true));
            int handed = edt.handed.availablePermits();
            flushEventQueue();
            assertEquals(List.of(0, 0, 0, 1), List.of(ticks.get(), fired.get(), watched.get(), posted.get()),
                    "nothing ran after the close");
            assertEquals(handed, edt.handed.availablePermits(), "nothing was handed to the executor after the close");
            swing.close(); // idempotent
        }
    }

    @Test
    void theSharedThreadRunsWhileSomeAdoptedContextNeedsIt() throws Exception {
        EventContext a = swing("a");
        EventContext b = swing("b");
        CompletableFuture<Void> posted = new CompletableFuture<>();
        a.post(() -> posted.complete(null));
        TestSupport.get(posted);
        assertFalse(hopsThreadAlive(), "posts need no thread of ours");
        awaitMarkerThroughTheSharedThread(a);
        assertTrue(hopsThreadAlive());
        List<ContextInfo> listed = directory.describeOpen();
        assertEquals(List.of("a", "b"), listed.stream().map(ContextInfo::name).toList());
        assertTrue(listed.get(0).status().startsWith("a [executor"), listed.get(0).status());

        a.close();
        assertTrue(hopsThreadAlive(), "b is open");
        awaitMarkerThroughTheSharedThread(b);
        b.close();
        assertFalse(hopsThreadAlive(), "the last one closed");

        EventContext c = swing("c");
        awaitMarkerThroughTheSharedThread(c);
        assertTrue(hopsThreadAlive(), "started again");
        factory.closeAll(); // the owner goes: its contexts close, and the shared thread with the last
        assertTrue(c.isClosed());
        assertFalse(hopsThreadAlive());
        assertThrows(IllegalStateException.class, () -> swing("late"));
    }

    // ------------------------------------------------------------------ failures

    @Test
    void throwingCallbacksAreReportedAndNothingReachesTheEventThread() throws Exception {
        EventContext swing = swing("throwing");
        RuntimeException eventBoom = new IllegalStateException("boom-event");
        Error timerBoom = new Error("boom-timer");
        RuntimeException tickBoom = new IllegalArgumentException("boom-tick");
        RuntimeException watchBoom = new UnsupportedOperationException("boom-watch");
        swing.post(() -> {
            throw eventBoom;
        });
        swing.schedule(Duration.ZERO, () -> {
            throw timerBoom;
        });
        AtomicInteger ticks = new AtomicInteger();
        CountDownLatch tickKept = new CountDownLatch(1);
        swing.every(Duration.ofMillis(1), () -> {
            if (ticks.incrementAndGet() == 1) {
                throw tickBoom;
            }
            tickKept.countDown();
            return false;
        });
        try (SocketPair pair = new SocketPair()) {
            pair.writeClient("x"); // never read: readable on every look
            AtomicInteger calls = new AtomicInteger();
            CountDownLatch watchKept = new CountDownLatch(1);
            swing.watch(pair.accepted, SelectionKey.OP_READ, ready -> {
                if (calls.incrementAndGet() == 1) {
                    throw watchBoom;
                }
                watchKept.countDown();
                return false;
            });
            TestSupport.await(tickKept);
            TestSupport.await(watchKept);
        }
        assertSame(eventBoom, reporter.await(r -> r.message().contains("an event threw") && r.failure() == eventBoom)
                .failure());
        assertSame(timerBoom, reporter.await(r -> r.failure() == timerBoom).failure());
        assertTrue(reporter.await(r -> r.failure() == tickBoom).message().contains("a timer threw; the timer is kept"));
        assertTrue(reporter.await(r -> r.failure() == watchBoom).message()
                .contains("an I/O watch threw; the watch is kept"));
        CompletableFuture<Boolean> later = new CompletableFuture<>();
        swing.post(() -> later.complete(EventQueue.isDispatchThread()));
        assertTrue(TestSupport.get(later), "the context goes on");
        flushEventQueue();
        assertEquals(List.of(), escaped, "nothing reached the event thread's uncaught-exception handling");
    }

    @Test
    void anExecutorThatRefusesIsReportedAndNeverThrowsIntoOurThreads() throws Exception {
        RejectedExecutionException full = new RejectedExecutionException("full");
        EventContext refusing = factory.adopt("refusing", runnable -> {
            throw full;
        });
        RejectedExecutionException posting = assertThrows(RejectedExecutionException.class,
                () -> refusing.post(() -> fail("ran")));
        assertSame(full, posting.getCause());
        assertTrue(posting.getMessage().contains("refusing"), posting.getMessage());

        EventContext exited = factory.adopt("exited", runnable -> {
            throw new IllegalStateException("Toolkit has exited");
        });
        assertInstanceOf(IllegalStateException.class,
                assertThrows(RejectedExecutionException.class, () -> exited.post(() -> fail("ran"))).getCause());

        EventSource timer = refusing.schedule(Duration.ZERO, () -> fail("ran"));
        RecordingReporter.Report timerReport = reporter.await(r -> r.failure() == full
                && r.message().contains("refused the callback of a timer"));
        assertTrue(timerReport.message().contains("'refusing'"), timerReport.message());
        assertFalse(timer.isActive(), "a refused timer ends");
        try (SocketPair pair = new SocketPair()) {
            pair.writeClient("x");
            EventSource watch = refusing.watch(pair.accepted, SelectionKey.OP_READ, ready -> fail("called"));
            reporter.await(r -> r.failure() == full && r.message().contains("refused the callback of an I/O watch"));
            assertFalse(watch.isActive(), "a refused watch ends");
        }
        awaitMarkerThroughTheSharedThread(swing("still-served")); // the shared thread lives on

        // A task whose completion the executor refuses is disposed, in the worker's thread, without a throw.
        try (TaskRuntime runtime = TaskRuntime.start()) {
            EventContext refused = runtime.contexts().adopt("task-test-refusing", runnable -> {
                throw full;
            });
            CountDownLatch cleaned = new CountDownLatch(1);
            AtomicInteger callbacks = new AtomicInteger();
            Task<String, Integer> task = runtime.tasks().<String, Integer>builder("refused", done -> callbacks
                    .incrementAndGet()).cleanup(cleaned::countDown).create();
            task.runInThread(running -> running.setResult(1), null, refused);
            TestSupport.await(cleaned);
            assertEquals(0, callbacks.get());
            assertTrue(EnumSet.of(TaskState.DISPOSED, TaskState.FINISHED).contains(task.state()), task::toString);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Runs an empty runnable on the event thread and waits: whatever was queued before has run. */
    private static void flushEventQueue() throws InterruptedException, InvocationTargetException {
        EventQueue.invokeAndWait(() -> { });
    }

    /**
     * Keeps the event thread busy until the returned latch is released, then
     * runs {@code then} there, before whatever is queued after this call.
     */
    private static CountDownLatch blockEventThread(Runnable then) {
        CountDownLatch unblock = new CountDownLatch(1);
        EventQueue.invokeLater(() -> {
            TestSupport.await(unblock);
            then.run();
        });
        return unblock;
    }

    /**
     * A timer through the shared thread and back: everything the shared
     * thread had to hand the executor before it (ready watches first: it
     * looks at I/O before timers) has run when this returns.
     */
    private static void awaitMarkerThroughTheSharedThread(EventContext context) throws Exception {
        CompletableFuture<Void> marker = new CompletableFuture<>();
        context.schedule(Duration.ZERO, () -> marker.complete(null));
        TestSupport.get(marker);
        flushEventQueue();
    }

    private static boolean hopsThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().equals(ExecutorHops.THREAD_NAME) && thread.isAlive());
    }

    /** Swing's event thread, counting what it is handed. */
    private static final class CountingExecutor implements Executor {
        final Semaphore handed = new Semaphore(0);

        @Override
        public void execute(Runnable runnable) {
            EventQueue.invokeLater(runnable);
            handed.release();
        }

        /** Waits (guarded) until {@code count} runnables have been handed in all. */
        void awaitHanded(int count) throws InterruptedException {
            assertTrue(handed.tryAcquire(count, TestSupport.GUARD_SECONDS, TimeUnit.SECONDS),
                    "timed out waiting for hand-offs");
            handed.release(count); // counting only: the permits stay
        }
    }

    /** A connected loopback pair: {@code client} blocking, {@code accepted} non-blocking. */
    private static final class SocketPair implements AutoCloseable {
        final ServerSocketChannel server;
        final SocketChannel client;
        final SocketChannel accepted;

        SocketPair() throws IOException {
            server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            client = SocketChannel.open(server.getLocalAddress());
            accepted = server.accept();
            accepted.configureBlocking(false);
        }

        void writeClient(String text) throws IOException {
            client.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        }

        /** On the context: what is there to read. */
        String readAccepted() {
            ByteBuffer buffer = ByteBuffer.allocate(64);
            try {
                accepted.read(buffer);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            try (server; client; accepted) {
                // closed in reverse order
            }
        }
    }
}
