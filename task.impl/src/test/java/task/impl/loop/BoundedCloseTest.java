package task.impl.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;
import task.impl.TaskRuntime;
import task.impl.TestSupport;
import task.testing.LogCapture;

/** Closing a context whose callback blocks waits at most the close grace, then reports and returns. */
@Timeout(value = 30, unit = TimeUnit.SECONDS) // hang guard only
class BoundedCloseTest {
    /** A short grace: this is configuration, nothing is asserted about time. */
    private static final Duration GRACE = Duration.ofMillis(50);

    /** Blocks its context until released: a callback that blocks. */
    private static final class BlockingEvent implements Runnable {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean returned = new AtomicBoolean();
        final AtomicReference<Thread> thread = new AtomicReference<>();

        @Override
        public void run() {
            thread.set(Thread.currentThread());
            entered.countDown();
            TestSupport.await(release);
            returned.set(true);
        }
    }

    private static void join(Thread thread) throws InterruptedException {
        thread.join(TimeUnit.SECONDS.toMillis(TestSupport.GUARD_SECONDS));
        assertFalse(thread.isAlive(), "the context's thread ended once its callback returned");
    }

    @Test
    void closeReturnsAfterTheGraceNamingTheContextWhatRunsAndTheStack() throws Exception {
        RecordingReporter reporter = new RecordingReporter();
        EventLoop loop = EventLoop.started("task-test-stuck", reporter, true, GRACE);
        BlockingEvent blocking = new BlockingEvent();
        try {
            loop.post(blocking);
            TestSupport.await(blocking.entered);
            // The close takes the stack after its grace: make sure the thread
            // is parked in the latch by then (it counts 'entered' just before).
            TestSupport.spinUntil(() -> blocking.thread.get().getState() == Thread.State.TIMED_WAITING);
            AtomicBoolean pendingRan = new AtomicBoolean();
            loop.post(() -> pendingRan.set(true));

            TestSupport.get(CompletableFuture.runAsync(loop::close));
            assertEquals(1, blocking.release.getCount(), "close returned while the callback was still blocked");
            assertFalse(blocking.returned.get());
            assertTrue(loop.isClosed());
            assertThrows(RejectedExecutionException.class, () -> loop.post(() -> { }), "posts are refused");

            RecordingReporter.Report warning = reporter.await(r -> r.message().contains("close gave up"));
            assertTrue(warning.message().startsWith("context 'task-test-stuck': close gave up"), warning.message());
            assertTrue(warning.message().contains("is still running an event (" + BlockingEvent.class.getName() + ")"),
                    warning.message());
            assertTrue(RecordingReporter.hasFrame(warning.failure(), BlockingEvent.class.getName(), "run"),
                    "the stack of the stuck thread");
            assertTrue(RecordingReporter.hasFrame(warning.failure(), CountDownLatch.class.getName(), "await"));
            assertFalse(pendingRan.get());

            blocking.release.countDown();
            join(blocking.thread.get());
            assertTrue(pendingRan.get(), "the pending event ran once the callback returned");
            assertEquals(1, reporter.warnings.size(), "one report: " + reporter.warnings);
        } finally {
            blocking.release.countDown();
        }
    }

    @Test
    void closeAllOfAFactoryReportsEachStuckContext() throws Exception {
        RecordingReporter reporter = new RecordingReporter();
        LoopFactory factory = new LoopFactory(reporter, new LoopDirectory(Duration.ZERO), GRACE);
        BlockingEvent a = new BlockingEvent();
        BlockingEvent b = new BlockingEvent();
        try {
            factory.start("task-test-stuck-a").post(a);
            factory.start("task-test-stuck-b").post(b);
            TestSupport.await(a.entered);
            TestSupport.await(b.entered);
            TestSupport.get(CompletableFuture.runAsync(factory::closeAll));
            assertEquals(1, a.release.getCount(), "returned while both were blocked");
            assertEquals(1, b.release.getCount(), "returned while both were blocked");
            assertEquals(1, reporter.containing("context 'task-test-stuck-a': close gave up").size());
            assertEquals(1, reporter.containing("context 'task-test-stuck-b': close gave up").size());
        } finally {
            a.release.countDown();
            b.release.countDown();
        }
        join(a.thread.get());
        join(b.thread.get());
    }

    @Test
    void runtimeCloseReturnsPastAStuckTaskCallbackNamingTheTask() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Thread> callbackThread = new AtomicReference<>();
        CompletableFuture<LogRecord> warned = new CompletableFuture<>();
        try (LogCapture ignored = new LogCapture(record -> {
            if (String.valueOf(record.getMessage()).contains("close gave up")) {
                warned.complete(record);
            }
        }, "task.runtime")) {
            TaskRuntime runtime = TaskRuntime.builder().contextCloseGrace(GRACE).start();
            EventContext context = runtime.defaultContext();
            Task<String, Void> task = runtime.tasks().<String, Void>builder("stuck", done -> {
                callbackThread.set(Thread.currentThread());
                entered.countDown();
                TestSupport.await(release);
            }).name("stuck-callback").context(context).create();
            task.runInThread(running -> { });
            TestSupport.await(entered);
            TestSupport.get(CompletableFuture.runAsync(runtime::close));
            assertEquals(1, release.getCount(), "close returned while the callback was still blocked");
            LogRecord record = TestSupport.get(warned);
            assertTrue(record.getMessage().contains("context 'task-default-context': close gave up"),
                    record.getMessage());
            assertTrue(record.getMessage().contains("is still running task 'stuck-callback' (#" + task.id() + ")"),
                    record.getMessage());
            assertTrue(RecordingReporter.hasFrame(record.getThrown(), BoundedCloseTest.class.getName(), null));
        } finally {
            release.countDown();
        }
        join(callbackThread.get());
    }
}
