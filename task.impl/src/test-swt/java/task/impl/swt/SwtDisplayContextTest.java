package task.impl.swt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.swt.widgets.Display;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.EventSource;
import task.api.Task;
import task.api.TaskState;
import task.impl.TaskRuntime;
import task.impl.TestSupport;

/**
 * An executor adopted as a context on a real SWT {@link Display} (GTK, under
 * Xvfb: {@code .ci/swt}), the way ExecutorContextTest does it on Swing's
 * event thread: a task's worker runs off the UI thread and its callback on
 * it, timers and I/O watches hop onto it, closing keeps the policy of every
 * context. SWT has no event thread of its own, so this class owns one: it
 * creates the display there and runs the event loop until the display is
 * disposed. Ordering is proven by SWT's FIFO of {@code asyncExec} and
 * {@code syncExec} runnables, never by time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // hang guard only
class SwtDisplayContextTest {
    private static Display display;
    private static Thread uiThread;

    private TaskRuntime runtime;

    @BeforeAll
    static void startTheUiThread() throws Exception {
        if (!hasX()) {
            return; // each test skips, saying why
        }
        CompletableFuture<Display> created = new CompletableFuture<>();
        uiThread = new Thread(() -> {
            Display own;
            try {
                own = new Display();
            } catch (Throwable failure) {
                created.completeExceptionally(failure);
                return;
            }
            created.complete(own);
            while (!own.isDisposed()) {
                if (!own.readAndDispatch()) {
                    own.sleep();
                }
            }
        }, "swt-ui");
        uiThread.start();
        display = TestSupport.get(created);
    }

    @AfterAll
    static void stopTheUiThread() throws InterruptedException {
        if (display != null) {
            display.asyncExec(display::dispose); // the loop ends with the display
            uiThread.join(TimeUnit.SECONDS.toMillis(TestSupport.GUARD_SECONDS));
            assertFalse(uiThread.isAlive(), "the UI thread ended with its display");
        }
    }

    /** Whether an X server is named: a Display without one fails in GTK's init, not here. */
    private static boolean hasX() {
        String x = System.getenv("DISPLAY");
        return x != null && !x.isEmpty();
    }

    @BeforeEach
    void startTheRuntime() {
        assumeTrue(hasX(),
                "SWT needs an X server and DISPLAY is unset: run .ci/swt, which runs this test under xvfb-run");
        runtime = TaskRuntime.start();
    }

    @AfterEach
    void closeTheRuntime() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private EventContext swt(String name, Executor executor) {
        return runtime.contexts().adopt(name, executor, () -> display.getThread() == Thread.currentThread());
    }

    private EventContext swt(String name) {
        return swt(name, display::asyncExec);
    }

    /** Whether the calling thread is SWT's UI thread, asked of SWT itself. */
    private static boolean onUiThread() {
        return Display.getCurrent() == display;
    }

    // ------------------------------------------------------------------ tasks and inContext

    @Test
    void aTaskRunsOffTheUiThreadAndCompletesOnItExactlyOnce() throws Exception {
        EventContext swt = swt("task-test-swt");
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger cleanups = new AtomicInteger();
        CompletableFuture<Boolean> workerOnUi = new CompletableFuture<>();
        CompletableFuture<String> delivered = new CompletableFuture<>();
        Task<String, Integer> task = runtime.tasks().<String, Integer>builder("swt", done -> {
            calls.incrementAndGet();
            Throwable error = done.propagateError();
            delivered.complete(error != null ? "failed: " + error
                    : done.result() + " on the UI thread " + onUiThread() + ", in context " + swt.inContext());
        }).context(swt).cleanup(cleanups::incrementAndGet).create();
        task.runInThread(running -> {
            workerOnUi.complete(Display.getCurrent() != null || swt.inContext());
            running.setResult(running.source().length());
        }, null, swt);
        assertFalse(TestSupport.get(workerOnUi), "the worker ran off the UI thread, outside the context");
        assertEquals("3 on the UI thread true, in context true", TestSupport.get(delivered));
        flushUiThread(); // the task finished in the same runnable as its callback
        assertEquals(1, calls.get(), "the callback ran once");
        assertEquals(1, cleanups.get(), "the cleanup ran once");
        assertEquals(TaskState.FINISHED, task.state());
    }

    @Test
    void inContextOnTheUiThreadOnly() throws Exception {
        EventContext swt = swt("in-context");
        assertFalse(swt.inContext(), "test thread");
        boolean[] outside = new boolean[1];
        display.syncExec(() -> outside[0] = swt.inContext());
        assertTrue(outside[0], "on the UI thread outside our runnables, by the executor's test");
        CompletableFuture<List<Boolean>> inside = new CompletableFuture<>();
        swt.post(() -> inside.complete(List.of(swt.inContext(), onUiThread())));
        assertEquals(List.of(true, true), TestSupport.get(inside));
    }

    // ------------------------------------------------------------------ timers

    @Test
    void timersFireOnTheUiThread() throws Exception {
        EventContext swt = swt("timers");
        CompletableFuture<Boolean> fired = new CompletableFuture<>();
        swt.schedule(Duration.ofMillis(1), () -> fired.complete(onUiThread() && swt.inContext()));
        assertTrue(TestSupport.get(fired), "a timer fired on the UI thread, in context");

        List<Boolean> onUi = new CopyOnWriteArrayList<>();
        AtomicInteger ticks = new AtomicInteger();
        CompletableFuture<Void> third = new CompletableFuture<>();
        EventSource every = swt.every(Duration.ofMillis(1), () -> {
            onUi.add(onUiThread() && swt.inContext());
            if (ticks.incrementAndGet() == 3) {
                third.complete(null);
                return false;
            }
            return true;
        });
        TestSupport.get(third);
        awaitMarkerThroughTheSharedThread(swt); // and the tick has returned
        assertFalse(every.isActive(), "ended by its tick");
        assertEquals(List.of(true, true, true), onUi, "three ticks, each on the UI thread, none after false");
    }

    // ------------------------------------------------------------------ watches

    @Test
    void aWatchOnLoopbackCallsBackOnTheUiThreadAndStopsAfterFalse() throws Exception {
        EventContext swt = swt("watch");
        try (SocketPair pair = new SocketPair()) {
            List<String> read = new CopyOnWriteArrayList<>();
            List<Boolean> onUi = new CopyOnWriteArrayList<>();
            AtomicInteger calls = new AtomicInteger();
            CompletableFuture<Void> first = new CompletableFuture<>();
            CompletableFuture<Void> second = new CompletableFuture<>();
            EventSource watch = swt.watch(pair.accepted, SelectionKey.OP_READ, ready -> {
                onUi.add(onUiThread() && swt.inContext());
                read.add(pair.readAccepted());
                if (calls.incrementAndGet() == 1) {
                    first.complete(null);
                    return true;
                }
                // Signalled in a later runnable: after the context decided not to re-arm.
                display.asyncExec(() -> second.complete(null));
                return false;
            });
            pair.writeClient("a");
            TestSupport.get(first);
            pair.writeClient("b");
            TestSupport.get(second);
            assertFalse(watch.isActive(), "ended by its callback");

            pair.writeClient("c"); // left unread: the channel stays readable
            awaitMarkerThroughTheSharedThread(swt); // the shared thread looks at I/O before timers
            assertEquals(2, calls.get(), "no callback after the one that returned false");
            assertEquals(List.of("a", "b"), read);
            assertEquals(List.of(true, true), onUi);
        }
    }

    // ------------------------------------------------------------------ closing

    @Test
    void closeRunsPostedRunnablesAndDropsTheQueuedHopsOfTimersAndWatches() throws Exception {
        CountingExecutor ui = new CountingExecutor();
        EventContext swt = swt("closing", ui);
        try (SocketPair pair = new SocketPair()) {
            pair.writeClient("x"); // readable from the start
            AtomicInteger ticks = new AtomicInteger();
            AtomicInteger fired = new AtomicInteger();
            AtomicInteger watched = new AtomicInteger();
            AtomicInteger posted = new AtomicInteger();
            CompletableFuture<Boolean> closedOnTheUiThread = new CompletableFuture<>();
            // The UI thread is busy until released, then closes the context first of all.
            CountDownLatch unblock = blockUiThread(() -> {
                swt.close(); // on the executor's thread: returns at once
                closedOnTheUiThread.complete(swt.isClosed());
            });
            EventSource tick = swt.every(Duration.ofMillis(1), () -> ticks.incrementAndGet() > 0);
            EventSource once = swt.schedule(Duration.ZERO, fired::incrementAndGet);
            EventSource watch = swt.watch(pair.accepted, SelectionKey.OP_READ, ready -> watched.incrementAndGet() > 0);
            ui.awaitHanded(3); // the tick's, the timer's and the watch's callbacks wait on the UI thread
            EventSource event = swt.post(posted::incrementAndGet); // posted before the close: it runs
            EventSource far = swt.schedule(Duration.ofDays(1), fired::incrementAndGet);

            unblock.countDown();
            assertTrue(TestSupport.get(closedOnTheUiThread));
            swt.close(); // off the UI thread: waits until the executor ran everything it was handed
            assertTrue(swt.isClosed());
            assertEquals(0, ticks.get(), "the tick's queued hop was dropped");
            assertEquals(0, fired.get(), "the timer's queued hop was dropped");
            assertEquals(0, watched.get(), "the watch's queued hop was dropped");
            assertEquals(1, posted.get(), "the runnable posted before the close ran, as on every context");
            for (EventSource source : List.of(tick, once, watch, event, far)) {
                assertFalse(source.isActive());
            }
            assertFalse(pair.accepted.isRegistered(), "the watch's selector registration is gone");
            assertFalse(runtime.inspector().contexts().stream().anyMatch(info -> info.name().equals("closing")));

            assertThrows(RejectedExecutionException.class, () -> swt.post(posted::incrementAndGet));
            assertThrows(RejectedExecutionException.class, () -> swt.schedule(Duration.ZERO, fired::incrementAndGet));
            assertThrows(RejectedExecutionException.class,
                    () -> swt.watch(pair.accepted, SelectionKey.OP_READ, ready -> true));
            int handed = ui.handed.availablePermits();
            flushUiThread();
            assertEquals(List.of(0, 0, 0, 1), List.of(ticks.get(), fired.get(), watched.get(), posted.get()),
                    "nothing ran after the close");
            assertEquals(handed, ui.handed.availablePermits(), "nothing was handed to the display after the close");
        }
    }

    // ------------------------------------------------------------------ helpers

    /** {@code syncExec} of an empty runnable: whatever {@code asyncExec} queued before has run. */
    private static void flushUiThread() {
        display.syncExec(() -> { });
    }

    /**
     * Keeps the UI thread busy until the returned latch is released, then
     * runs {@code then} there, before whatever is queued after this call.
     */
    private static CountDownLatch blockUiThread(Runnable then) {
        CountDownLatch unblock = new CountDownLatch(1);
        display.asyncExec(() -> {
            TestSupport.await(unblock);
            then.run();
        });
        return unblock;
    }

    /**
     * A timer through the shared thread and back: everything the shared
     * thread had to hand the display before it (ready watches first: it
     * looks at I/O before timers) has run when this returns.
     */
    private static void awaitMarkerThroughTheSharedThread(EventContext context) {
        CompletableFuture<Void> marker = new CompletableFuture<>();
        context.schedule(Duration.ZERO, () -> marker.complete(null));
        TestSupport.get(marker);
        flushUiThread();
    }

    /** The display's {@code asyncExec}, counting what it is handed. */
    private static final class CountingExecutor implements Executor {
        final Semaphore handed = new Semaphore(0);

        @Override
        public void execute(Runnable runnable) {
            display.asyncExec(runnable);
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
