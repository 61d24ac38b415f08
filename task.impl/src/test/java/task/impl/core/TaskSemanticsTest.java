package task.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskCancelledException;
import task.api.TaskInfo;
import task.api.TaskState;
import task.impl.TaskRuntime;
import task.impl.TestSupport;
import task.impl.log.ReportLevel;
import task.impl.log.Reporter;
import task.impl.loop.EventLoop;
import task.impl.runner.WorkerThreads;

/** Every other statement of the task contract, under both runner modes. */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class TaskSemanticsTest {
    private TaskRuntime runtime;

    @AfterEach
    void closeRuntime() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private TaskRuntime start(boolean virtualThreads) {
        runtime = TestSupport.runtime(virtualThreads, 4);
        return runtime;
    }

    private static final class Resource {
        final String name;
        final AtomicInteger released = new AtomicInteger();

        Resource(String name) {
            this.name = name;
        }

        void release() {
            released.incrementAndGet();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    // ------------------------------------------------------------------ runner mode

    /**
     * Workers run on the pool's platform threads; with virtual threads (JDK
     * 21+, unless configured off), a worker that finds every platform thread
     * waiting gets a virtual thread of its own, and without them the pool
     * adds platform stand-ins for the waiting ones.
     */
    @BothRunners
    void runnerModeIsAsRequested(boolean virtualThreads) throws Exception {
        start(virtualThreads);
        assertEquals(Runtime.version().feature() >= 21 && virtualThreads, runtime.runner().usesVirtualThreads());
        EventContext context = runtime.contexts().create("mode");
        int jobs = 8;
        CountDownLatch allStarted = new CountDownLatch(jobs);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger onVirtual = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        for (int i = 0; i < jobs; i++) {
            Task<String, Void> task = runtime.tasks().create("s" + i, t -> done.incrementAndGet(), null);
            task.runInThread(t -> {
                if (isVirtual(Thread.currentThread())) {
                    onVirtual.incrementAndGet();
                }
                allStarted.countDown();
                TestSupport.await(release); // every worker waits until all have started
            }, null, context);
        }
        TestSupport.await(allStarted);
        release.countDown();
        TestSupport.driveUntil(context, () -> done.get() == jobs);
        // This runtime's pool: 4 platform threads; with virtual threads, at most one per core.
        int platform = runtime.runner().usesVirtualThreads()
                ? Math.min(4, Runtime.getRuntime().availableProcessors()) : jobs;
        assertEquals(jobs - platform, onVirtual.get(), "workers on virtual threads");
    }

    private static boolean isVirtual(Thread thread) {
        try {
            return (Boolean) Thread.class.getMethod("isVirtual").invoke(thread);
        } catch (NoSuchMethodException absent) {
            return false;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ errors

    @BothRunners
    void firstErrorWinsLaterOnesSuppressed(boolean virtualThreads) {
        start(virtualThreads);
        IOException first = new IOException("first");
        IllegalStateException second = new IllegalStateException("second");
        Error third = new Error("third");
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Task<String, Void> task = runtime.tasks().create("s", t -> seen.set(t.propagateError()), null);

        task.setError(first);
        task.setError(null); // no-op
        task.setError(second);
        task.setError(third);
        task.complete();

        assertSame(first, seen.get());
        assertEquals(List.of(second, third), List.of(first.getSuppressed()));
    }

    @BothRunners
    void propagateHandsTheSameErrorOnceThenClears(boolean virtualThreads) {
        start(virtualThreads);
        IOException error = new IOException("boom");
        List<Throwable> seen = new ArrayList<>();
        Task<String, Void> task = runtime.tasks().create("s", t -> {
            seen.add(t.propagateError());
            seen.add(t.propagateError());
        }, null);
        assertNull(task.propagateError(), "no error yet");
        task.setError(error);
        task.complete();
        assertEquals(2, seen.size());
        assertSame(error, seen.get(0));
        assertNull(seen.get(1), "a second propagate reports no error");
    }

    /**
     * Once a task is cancelled, propagateError() hands out the cancellation
     * even before the callback has run: the very exception the callback would
     * see, with the earlier error suppressed, taken once.
     */
    @BothRunners
    void propagateErrorOnACancelledTaskIsTheCancellationAtOnce(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("cancelled-propagate");
        IOException earlier = new IOException("earlier");
        AtomicReference<Throwable> seen = new AtomicReference<>(new AssertionError("the callback did not run"));
        Task<String, Void> task = runtime.tasks().<String, Void>builder("s", t -> seen.set(t.propagateError()))
                .context(context).create();
        task.setError(earlier);
        assertTrue(task.cancel(false, "taken early"));

        TaskCancelledException cancelled = assertInstanceOf(TaskCancelledException.class, task.propagateError());
        assertTrue(cancelled.getMessage().endsWith("taken early"), cancelled.getMessage());
        assertEquals(List.of(earlier), List.of(cancelled.getSuppressed()));
        assertNull(task.propagateError(), "taken once, as upstream clears it");
        TestSupport.driveUntil(context, () -> task.state() == TaskState.FINISHED);
        assertNull(seen.get(), "the callback finds the error taken, as any second propagate would");

        AtomicReference<Throwable> inCallback = new AtomicReference<>();
        Task<String, Void> other = runtime.tasks().<String, Void>builder("s", t -> inCallback.set(t.propagateError()))
                .context(context).create();
        assertTrue(other.cancel(false));
        TestSupport.driveUntil(context, () -> other.state() == TaskState.FINISHED);
        assertInstanceOf(TaskCancelledException.class, inCallback.get(), "not taken early: the callback gets it");
    }

    // ------------------------------------------------------------------ results

    @BothRunners
    void resultOverwriteRunsTheOldCleanup(boolean virtualThreads) {
        start(virtualThreads);
        Resource a = new Resource("a");
        Resource b = new Resource("b");
        AtomicReference<Object> seen = new AtomicReference<>();
        AtomicInteger bReleasedDuringCallback = new AtomicInteger(-1);
        Task<String, Resource> task = runtime.tasks().create("s", t -> {
            seen.set(t.result());
            bReleasedDuringCallback.set(b.released.get());
        }, null);

        task.setResult(a, Resource::release);
        assertEquals(0, a.released.get());
        task.setResult(b, Resource::release);
        assertEquals(1, a.released.get(), "the replaced result is released at once");
        assertSame(b, task.result());
        task.complete();

        assertSame(b, seen.get());
        assertEquals(0, bReleasedDuringCallback.get(), "the result is released after the callback");
        assertEquals(1, a.released.get());
        assertEquals(1, b.released.get());
    }

    @BothRunners
    void settingTheSameResultAgainDoesNotReleaseIt(boolean virtualThreads) {
        start(virtualThreads);
        Resource a = new Resource("a");
        Task<String, Resource> task = runtime.tasks().create("s", t -> assertEquals(0, a.released.get()), null);

        task.setResult(a, Resource::release);
        task.setResult(a, Resource::release);
        assertEquals(0, a.released.get(), "the same object set again is not released");
        task.complete();
        assertEquals(1, a.released.get(), "released exactly once when the task finishes");
    }

    // ------------------------------------------------------------------ cleanups

    @BothRunners
    void cleanupOrderAndExactlyOnce(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("order");
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<String> workerData = new AtomicReference<>();

        Task<String, String> task = runtime.tasks().<String, String>builder("the-source", t -> {
            events.add("callback:" + t.result() + ":" + workerData.get());
        }).cleanup(() -> events.add("callback-cleanup")).create();
        task.runInThread(t -> {
            workerData.set("worker-data");
            t.setResult("the-result", r -> events.add("result-cleanup:" + r));
        }, () -> {
            events.add("worker-cleanup:" + workerData.get());
            workerData.set(null);
        }, context);
        TestSupport.driveUntil(context, () -> task.state() == TaskState.FINISHED);

        assertEquals(List.of(
                "callback:the-result:worker-data",
                "worker-cleanup:worker-data",
                "callback-cleanup",
                "result-cleanup:the-result"), events);
        assertTrue(runtime.inspector().find(task.id()).isEmpty());
        assertThrows(IllegalStateException.class, task::source);
        TestSupport.flush(context, true);
        assertEquals(4, events.size(), "each cleanup exactly once");
    }

    @BothRunners
    void sourceIsHeldUntilFinishedThenReleased(boolean virtualThreads) {
        start(virtualThreads);
        Object source = new Object();
        java.lang.ref.WeakReference<Object> weak = new java.lang.ref.WeakReference<>(source);
        AtomicInteger calls = new AtomicInteger();
        Task<Object, Void> task = runtime.tasks().create(source, t -> calls.incrementAndGet(), null);
        source = null;
        gc();
        assertTrue(weak.get() != null, "the task holds its source while in flight");
        assertSame(weak.get(), task.source());
        task.complete();
        for (int i = 0; i < 50 && weak.get() != null; i++) {
            gc();
        }
        assertNull(weak.get(), "the finished task no longer references its source");
        assertEquals(1, calls.get());
    }

    private static void gc() {
        System.gc();
    }

    @BothRunners
    void throwingCallbackStillFinishesAndIsRethrownByComplete(boolean virtualThreads) {
        start(virtualThreads);
        IllegalArgumentException thrown = new IllegalArgumentException("callback failed");
        IllegalStateException cleanupFailure = new IllegalStateException("cleanup failed");
        AtomicInteger cleanups = new AtomicInteger();
        Resource result = new Resource("r");
        Task<String, Resource> task = runtime.tasks().create("s", t -> {
            throw thrown;
        }, () -> {
            cleanups.incrementAndGet();
            throw cleanupFailure;
        });
        task.setResult(result, Resource::release);

        IllegalArgumentException rethrown = assertThrows(IllegalArgumentException.class, task::complete);

        assertSame(thrown, rethrown);
        assertEquals(List.of(cleanupFailure), List.of(rethrown.getSuppressed()));
        assertEquals(1, cleanups.get());
        assertEquals(1, result.released.get(), "a throwing cleanup does not stop the next");
        assertEquals(TaskState.FINISHED, task.state());
    }

    /** A reporter that keeps what it is given. */
    private static final class RecordingReporter implements Reporter {
        final List<String> messages = Collections.synchronizedList(new ArrayList<>());
        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void warn(String message, Throwable failure) {
            messages.add(message);
            failures.add(failure);
        }

        @Override
        public void debug(String message, Throwable failure) {
        }
    }

    /**
     * A failure report names every part that threw, in order (the callback,
     * the worker, callback and result cleanups), and carries the first
     * throwable itself, the later ones suppressed in it.
     */
    @org.junit.jupiter.api.Test
    void aFailureReportNamesEachPartThatThrew() {
        RecordingReporter reporter = new RecordingReporter();
        TaskLincheckTest.RecordingRunner runner = new TaskLincheckTest.RecordingRunner();
        EventLoop loop = EventLoop.driven("reports", reporter);
        TaskFactory factory = new TaskFactory("reports", runner, loop, new TaskTable(), reporter, ReportLevel.DEBUG);
        IllegalStateException callbackFailure = new IllegalStateException("callback (expected by the test)");
        IllegalStateException workerCleanupFailure = new IllegalStateException("worker cleanup (expected)");
        IllegalStateException resultCleanupFailure = new IllegalStateException("result cleanup (expected)");
        Task<String, String> threaded = factory.create("s", t -> {
            throw callbackFailure;
        }, null);
        threaded.runInThread(t -> t.setResult("r", r -> {
            throw resultCleanupFailure;
        }), () -> {
            throw workerCleanupFailure;
        }, loop);
        runner.job.get().run();
        loop.iterate(false);

        assertEquals(List.of("task 'task-" + threaded.id() + "' (#" + threaded.id() + "): the callback threw, then"
                + " the worker cleanup threw (suppressed), then the result cleanup threw (suppressed)"),
                reporter.messages);
        assertEquals(List.of(callbackFailure), reporter.failures);
        assertEquals(List.of(workerCleanupFailure, resultCleanupFailure), List.of(callbackFailure.getSuppressed()));

        reporter.messages.clear();
        reporter.failures.clear();
        IllegalStateException callbackCleanupFailure = new IllegalStateException("callback cleanup (expected)");
        Task<String, String> disposed = factory.create("s", t -> { }, () -> {
            throw callbackCleanupFailure;
        });
        assertTrue(disposed.dispose());
        assertEquals(List.of("task 'task-" + disposed.id() + "' (#" + disposed.id() + "): the callback cleanup threw"),
                reporter.messages, "a cleanup's failure is not reported as the callback's");
        assertEquals(List.of(callbackCleanupFailure), reporter.failures);
    }

    /**
     * FINISHED means every cleanup has run: while they run, the task reports
     * the state it finishes from (COMPLETING after its callback, DISPOSED,
     * CANCELLED), so a poller of state() never sees FINISHED too early.
     */
    @BothRunners
    void stateIsNotFinishedWhileCleanupsRun(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("cleanup-state");
        List<TaskState> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Task<String, String>> current = new AtomicReference<>();
        Runnable record = () -> seen.add(current.get().state());

        Task<String, String> completed = runtime.tasks().create("s", t -> { }, record);
        current.set(completed);
        completed.setResult("r", r -> record.run());
        completed.complete();
        assertEquals(List.of(TaskState.COMPLETING, TaskState.COMPLETING), seen, "completed: callback and result cleanups");
        assertEquals(TaskState.FINISHED, completed.state());

        seen.clear();
        Task<String, String> disposed = runtime.tasks().create("s", t -> { }, record);
        current.set(disposed);
        assertTrue(disposed.dispose());
        assertEquals(List.of(TaskState.DISPOSED), seen, "disposed");
        assertEquals(TaskState.FINISHED, disposed.state());

        seen.clear();
        Task<String, String> cancelled = runtime.tasks().<String, String>builder("s", t -> { }).cleanup(record)
                .context(context).create();
        current.set(cancelled);
        assertTrue(cancelled.cancel(false));
        TestSupport.driveUntil(context, () -> !seen.isEmpty());
        assertEquals(List.of(TaskState.CANCELLED), seen, "cancelled");
        assertEquals(TaskState.FINISHED, cancelled.state());

        seen.clear();
        Task<String, String> threaded = runtime.tasks().create("s", t -> { }, record);
        current.set(threaded);
        threaded.runInThread(t -> { }, record, context);
        TestSupport.driveUntil(context, () -> seen.size() == 2);
        assertEquals(List.of(TaskState.COMPLETING, TaskState.COMPLETING), seen, "threaded: worker and callback cleanups");
        assertEquals(TaskState.FINISHED, threaded.state());
    }

    // ------------------------------------------------------------------ use after finishing

    @BothRunners
    void useAfterFinishFailsLoudly(boolean virtualThreads) {
        start(virtualThreads);
        Task<String, String> direct = runtime.tasks().create("s", t -> { }, null);
        direct.complete();
        assertUnusable(direct);
        assertThrows(IllegalStateException.class, direct::waitThread);

        EventContext context = runtime.contexts().create("after");
        Task<String, String> threaded = runtime.tasks().create("s", t -> { }, null);
        threaded.runInThread(t -> { }, null, context);
        TestSupport.driveUntil(context, () -> threaded.state() == TaskState.FINISHED);
        assertUnusable(threaded);
        // Not "use after finish": waiting on a finished threaded task returns at
        // once, so that runInThread-then-waitThread is race-free (documented).
        threaded.waitThread();
        // Usable at any time:
        assertTrue(threaded.id() > 0);
        assertEquals("task-" + threaded.id(), threaded.name());
        assertFalse(threaded.isCancelled());
        assertFalse(threaded.cancel(true));
        assertFalse(threaded.dispose());
    }

    private static void assertUnusable(Task<String, String> task) {
        assertEquals(TaskState.FINISHED, task.state());
        assertThrows(IllegalStateException.class, task::source);
        assertThrows(IllegalStateException.class, task::complete);
        assertThrows(IllegalStateException.class, () -> task.setError(new IOException("late")));
        assertThrows(IllegalStateException.class, () -> task.setResult("late"));
        assertThrows(IllegalStateException.class, task::result);
        assertThrows(IllegalStateException.class, task::propagateError);
        AtomicInteger cleanups = new AtomicInteger();
        assertThrows(IllegalStateException.class, () -> task.runInThread(t -> { }, cleanups::incrementAndGet, null));
    }

    // ------------------------------------------------------------------ workers that throw

    @BothRunners
    void workerThrowableBecomesTheError(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("throwing");
        List<Throwable> thrown = List.of(new IOException("checked"), new IllegalStateException("runtime"),
                new AssertionError("error"), new StackOverflowError());
        for (Throwable failure : thrown) {
            AtomicReference<Throwable> seen = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger cleanups = new AtomicInteger();
            Task<String, Void> task = runtime.tasks().create("s", t -> {
                seen.set(t.propagateError());
                done.set(true);
            }, cleanups::incrementAndGet);
            task.runInThread(t -> {
                if (failure instanceof Exception) {
                    throw (Exception) failure;
                }
                throw (Error) failure;
            }, cleanups::incrementAndGet, context);
            TestSupport.driveUntil(context, done::get);
            assertSame(failure, seen.get(), "the very throwable: " + failure);
            assertEquals(2, cleanups.get());
        }
    }

    // ------------------------------------------------------------------ contexts

    @BothRunners
    void completionRunsOnTheGivenContextsThread(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().start("named-context");
        CompletableFuture<Thread> callbackThread = new CompletableFuture<>();
        AtomicBoolean inContext = new AtomicBoolean();
        AtomicBoolean inDefault = new AtomicBoolean(true);
        AtomicReference<Thread> workerThread = new AtomicReference<>();
        Task<String, Void> task = runtime.tasks().create("s", t -> {
            inContext.set(context.inContext());
            inDefault.set(runtime.defaultContext().inContext());
            callbackThread.complete(Thread.currentThread());
        }, null);
        task.runInThread(t -> workerThread.set(Thread.currentThread()), null, context);

        Thread thread = TestSupport.get(callbackThread);
        assertEquals("named-context", thread.getName());
        assertTrue(inContext.get());
        assertFalse(inDefault.get());
        assertNotSame(thread, workerThread.get());
        assertFalse(context.inContext(), "the test thread is not the context's");
    }

    @BothRunners
    void defaultContextIsUsedWhenNoneIsNamed(boolean virtualThreads) {
        start(virtualThreads);
        CompletableFuture<Boolean> inDefault = new CompletableFuture<>();
        Task<String, Void> task = runtime.tasks().create("s",
                t -> inDefault.complete(runtime.defaultContext().inContext()), null);
        task.runInThread(t -> { });
        assertTrue(TestSupport.get(inDefault));
        assertThrows(UnsupportedOperationException.class, () -> runtime.defaultContext().close());
    }

    @BothRunners
    void throwingTaskCallbackDoesNotStopTheContext(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().start("throwing-callback");
        CountDownLatch cleaned = new CountDownLatch(2);
        Task<String, Void> task = runtime.tasks().create("s", t -> {
            throw new IllegalStateException("callback failure (expected by the test)");
        }, cleaned::countDown);
        task.runInThread(t -> { }, cleaned::countDown, context);
        TestSupport.await(cleaned);
        CompletableFuture<Boolean> later = new CompletableFuture<>();
        context.post(() -> later.complete(context.inContext()));
        assertTrue(TestSupport.get(later), "a later event still runs");
    }

    @BothRunners
    void workerReturningAfterItsContextClosedDisposesTheTask(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().start("closing");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch cleaned = new CountDownLatch(2);
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger callbackCleanups = new AtomicInteger();
        AtomicInteger workerCleanups = new AtomicInteger();
        AtomicReference<Thread> workerThread = new AtomicReference<>();
        AtomicReference<Thread> cleanupThread = new AtomicReference<>();
        Task<String, Void> task = runtime.tasks().create("s", t -> calls.incrementAndGet(), () -> {
            callbackCleanups.incrementAndGet();
            cleaned.countDown();
        });
        task.runInThread(t -> {
            workerThread.set(Thread.currentThread());
            release.await();
        }, () -> {
            workerCleanups.incrementAndGet();
            cleanupThread.set(Thread.currentThread());
            cleaned.countDown();
        }, context);

        context.close();
        assertTrue(context.isClosed());
        release.countDown();
        TestSupport.await(cleaned);

        assertEquals(0, calls.get(), "the callback never runs");
        assertEquals(1, callbackCleanups.get());
        assertEquals(1, workerCleanups.get());
        assertSame(workerThread.get(), cleanupThread.get(), "cleanups run on the thread that returned the worker");
        // The latch counted down in the last cleanup, on the finishing thread, which sets FINISHED after it.
        TestSupport.spinUntil(() -> task.state() == TaskState.FINISHED);
        TestSupport.flush(runtime.defaultContext(), false);
        assertEquals(0, calls.get());
    }

    // ------------------------------------------------------------------ waitThread

    @BothRunners
    void waitThreadOnTheContextThreadBeforeTheWorkerReturns(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("wait-before");
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Thread> callbackThread = new AtomicReference<>();
        AtomicBoolean callbackInContext = new AtomicBoolean();
        Task<String, Void> task = runtime.tasks().create("s", t -> {
            calls.incrementAndGet();
            callbackThread.set(Thread.currentThread());
            callbackInContext.set(context.inContext());
        }, null);
        task.runInThread(t -> release.await(), null, context);
        AtomicBoolean waited = new AtomicBoolean();
        context.post(() -> {
            release.countDown();
            task.waitThread();
            assertEquals(TaskState.FINISHED, task.state());
            waited.set(true);
        });
        TestSupport.driveUntil(context, waited::get);
        TestSupport.flush(context, true);
        TestSupport.flush(context, true);

        assertEquals(1, calls.get(), "the callback runs in the waiter, never also on the context");
        assertSame(Thread.currentThread(), callbackThread.get());
        assertTrue(callbackInContext.get());
    }

    /**
     * A context's own thread holds worker wake-ups until its batch of events
     * ends; waiting for a task in the batch must give them first, or the
     * wait never ends when every worker is parked. Many rounds, so that the
     * workers are parked (or gone) when most of them start.
     */
    @BothRunners
    void waitThreadInACallbackOfAContextsOwnThreadGetsItsWorkerRun(boolean virtualThreads) throws Exception {
        start(virtualThreads);
        EventContext context = runtime.contexts().start("wait-in-own-thread");
        for (int round = 0; round < 200; round++) {
            int expected = round;
            CompletableFuture<Integer> result = new CompletableFuture<>();
            context.post(() -> {
                Task<String, Integer> task = runtime.tasks().create("s", t -> { }, null);
                task.runInThread(t -> t.setResult(expected, null), null, context);
                task.waitThread();
                result.complete(expected);
            });
            assertEquals(expected, TestSupport.get(result));
        }
    }

    @BothRunners
    void waitThreadOnTheContextThreadAfterTheWorkerReturned(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("wait-after");
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        Task<String, Void> task = runtime.tasks().create("s", t -> calls.incrementAndGet(), null);
        task.runInThread(t -> release.await(), null, context);
        AtomicBoolean waited = new AtomicBoolean();
        context.post(() -> {
            // The worker returns and posts its completion while the context is busy here.
            release.countDown();
            TestSupport.spinUntil(() -> task.state() == TaskState.SCHEDULED);
            task.waitThread();
            waited.set(true);
        });
        TestSupport.driveUntil(context, waited::get);
        assertEquals(1, calls.get());
        TestSupport.flush(context, true);
        TestSupport.flush(context, true);
        assertEquals(1, calls.get(), "the scheduled completion was removed from the context");
    }

    @BothRunners
    void waitThreadFromAnotherThread(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.defaultContext();
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch contextBlocked = new CountDownLatch(1);
        context.post(() -> {
            contextBlocked.countDown();
            TestSupport.await(gate);
        });
        TestSupport.await(contextBlocked);
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Thread> callbackThread = new AtomicReference<>();
        AtomicReference<Object> callbackResult = new AtomicReference<>();
        AtomicInteger cleanups = new AtomicInteger();
        Task<String, String> task = runtime.tasks().create("s", t -> {
            calls.incrementAndGet();
            callbackThread.set(Thread.currentThread());
            callbackResult.set(t.result());
        }, cleanups::incrementAndGet);
        task.runInThread(t -> t.setResult("done"));

        task.waitThread();

        assertEquals(TaskState.FINISHED, task.state(), "finished when waitThread returns");
        assertEquals(1, calls.get());
        assertEquals(1, cleanups.get());
        assertSame(Thread.currentThread(), callbackThread.get());
        assertEquals("done", callbackResult.get());
        gate.countDown();
        TestSupport.flush(context, false);
        assertEquals(1, calls.get(), "never also on the context");
    }

    @BothRunners
    void waitThreadRejectsANonThreadedTask(boolean virtualThreads) {
        start(virtualThreads);
        AtomicInteger calls = new AtomicInteger();
        Task<String, Void> task = runtime.tasks().create("s", t -> calls.incrementAndGet(), null);
        assertThrows(IllegalStateException.class, task::waitThread);
        assertEquals(TaskState.PENDING, task.state(), "the rejected call changed nothing");
        task.complete();
        assertEquals(1, calls.get());
    }

    @BothRunners
    void waitThreadRejectsASecondWaiterWhileTheFirstCompletes(boolean virtualThreads) {
        start(virtualThreads);
        AtomicReference<Throwable> second = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        Task<String, Void> task = runtime.tasks().create("s", t -> {
            calls.incrementAndGet();
            // Another thread tries to wait while this waiter runs the completion.
            CompletableFuture<Void> other = CompletableFuture.runAsync(t::waitThread);
            second.set(assertThrows(java.util.concurrent.CompletionException.class, other::join).getCause());
        }, null);
        task.runInThread(t -> { }, null, runtime.contexts().create("idle"));
        task.waitThread();
        assertInstanceOf(IllegalStateException.class, second.get());
        assertEquals(1, calls.get());
    }

    @BothRunners
    void waitThreadRejectsASecondWaiterWhileTheFirstIsParked(boolean virtualThreads) throws Exception {
        start(virtualThreads);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Task<String, Void> task = runtime.tasks().create("s", t -> calls.incrementAndGet(), null);
        task.runInThread(t -> release.await(), null, runtime.contexts().create("idle"));
        CompletableFuture<Void> first = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                task.waitThread();
                first.complete(null);
            } catch (Throwable e) {
                first.completeExceptionally(e);
            }
        }, "first-waiter");
        waiter.start();
        TestSupport.spinUntil(() -> waiter.getState() == Thread.State.WAITING);

        assertThrows(IllegalStateException.class, task::waitThread);
        release.countDown();
        TestSupport.get(first);
        waiter.join();
        assertEquals(1, calls.get());
    }

    @BothRunners
    void waitThreadConcurrentWaitersExactlyOneWins(boolean virtualThreads) throws Exception {
        start(virtualThreads);
        EventContext idle = runtime.contexts().create("idle");
        for (int round = 0; round < 200; round++) {
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger calls = new AtomicInteger();
            Task<String, Void> task = runtime.tasks().create("s", t -> calls.incrementAndGet(), null);
            task.runInThread(t -> release.await(), null, idle);
            java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(2);
            List<CompletableFuture<Boolean>> outcomes = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                CompletableFuture<Boolean> outcome = new CompletableFuture<>();
                outcomes.add(outcome);
                Thread thread = new Thread(() -> {
                    try {
                        barrier.await();
                        task.waitThread();
                        outcome.complete(true);
                    } catch (IllegalStateException rejected) {
                        outcome.complete(false);
                    } catch (Throwable e) {
                        outcome.completeExceptionally(e);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            // Release the worker once both waiters have either parked or been rejected.
            TestSupport.spinUntil(() -> threads.stream().allMatch(
                    th -> th.getState() == Thread.State.WAITING || th.getState() == Thread.State.TERMINATED));
            release.countDown();
            int returned = 0;
            for (CompletableFuture<Boolean> outcome : outcomes) {
                if (TestSupport.get(outcome)) {
                    returned++;
                }
            }
            // One waiter runs the completion; the other was either rejected
            // while the first waited, or came after it and found the task finished.
            assertTrue(returned >= 1, "round " + round + ": a waiter ran the completion");
            assertEquals(1, calls.get(), "round " + round + ": the completion ran exactly once");
            assertEquals(TaskState.FINISHED, task.state());
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }

    @BothRunners
    void waitThreadRejectsTheWorkerItself(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("self");
        AtomicReference<Throwable> fromWorker = new AtomicReference<>();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        Task<String, Void> task = runtime.tasks().create("s", t -> {
            seen.set(t.propagateError());
            done.set(true);
        }, null);
        task.runInThread(t -> fromWorker.set(assertThrows(IllegalStateException.class, t::waitThread)), null,
                context);
        TestSupport.driveUntil(context, done::get);
        assertInstanceOf(IllegalStateException.class, fromWorker.get());
        assertNull(seen.get(), "the rejected call did not harm the task");
    }

    // ------------------------------------------------------------------ cancellation

    /**
     * runInThread on a task that a cancel, an inspector's cancel or a
     * dispose ended first turns the worker away; waitThread after it still
     * waits for the task's end and returns, as after any runInThread (the
     * README's race-free {@code runInThread(); waitThread();}). A cancelled
     * callback nobody delivered yet runs in the waiter, exactly once.
     */
    @BothRunners
    void waitThreadAfterATurnedAwayRunInThreadWaitsAndReturns(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("turned-away");
        AtomicInteger workerRuns = new AtomicInteger();
        for (String how : List.of("cancel", "inspector", "dispose", "cancel, delivered")) {
            AtomicInteger calls = new AtomicInteger();
            AtomicInteger cleanups = new AtomicInteger();
            AtomicReference<Thread> callbackThread = new AtomicReference<>();
            AtomicReference<Throwable> seen = new AtomicReference<>();
            Task<String, Void> task = runtime.tasks().<String, Void>builder("s", t -> {
                calls.incrementAndGet();
                callbackThread.set(Thread.currentThread());
                seen.set(t.propagateError());
            }).cleanup(cleanups::incrementAndGet).context(context).create();
            switch (how) {
            case "cancel":
                assertTrue(task.cancel(true));
                break;
            case "inspector":
                assertTrue(runtime.inspector().cancel(task.id()));
                break;
            case "dispose":
                assertTrue(task.dispose());
                break;
            default:
                assertTrue(task.cancel(false));
                TestSupport.driveUntil(context, () -> calls.get() == 1);
            }
            task.runInThread(t -> workerRuns.incrementAndGet(), cleanups::incrementAndGet, context);
            assertEquals(how.equals("cancel, delivered") || how.equals("dispose") ? 2 : 1, cleanups.get(),
                    how + ": the worker's cleanup runs at once");

            task.waitThread();

            assertEquals(TaskState.FINISHED, task.state(), how);
            assertEquals(2, cleanups.get(), how);
            assertEquals(how.equals("dispose") ? 0 : 1, calls.get(), how);
            if (how.equals("cancel") || how.equals("inspector")) {
                assertSame(Thread.currentThread(), callbackThread.get(), how + ": the waiter ran the callback");
            }
            if (calls.get() == 1) {
                assertInstanceOf(TaskCancelledException.class, seen.get(), how);
            }
            TestSupport.flush(context, true);
            assertEquals(how.equals("dispose") ? 0 : 1, calls.get(), how + ": never also on the context");
        }
        assertEquals(0, workerRuns.get(), "a turned-away worker never runs");
    }

    /**
     * A cancel while a waiter is parked in waitThread does not wait for the
     * worker: the waiter is woken and runs the cancelled callback at once, in
     * its own thread; it returns only once the worker has returned and every
     * cleanup has run (the task has finished when waitThread returns).
     */
    @BothRunners
    void cancelWakesAParkedWaiterWhichRunsTheCallbackWithoutWaitingForTheWorker(boolean virtualThreads)
            throws Exception {
        start(virtualThreads);
        EventContext idle = runtime.contexts().create("never-driven");
        CountDownLatch workerStarted = new CountDownLatch(1);
        CountDownLatch callbackRan = new CountDownLatch(1);
        CountDownLatch releaseWorker = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger cleanups = new AtomicInteger();
        AtomicReference<Thread> callbackThread = new AtomicReference<>();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        AtomicBoolean workerReturnedBeforeCallback = new AtomicBoolean();
        AtomicBoolean workerReturned = new AtomicBoolean();
        Task<String, Void> task = runtime.tasks().create("s", t -> {
            calls.incrementAndGet();
            callbackThread.set(Thread.currentThread());
            seen.set(t.propagateError());
            workerReturnedBeforeCallback.set(workerReturned.get());
            callbackRan.countDown();
        }, cleanups::incrementAndGet);
        task.runInThread(t -> {
            workerStarted.countDown();
            try {
                TestSupport.await(releaseWorker); // not interruptible: cancel(false) below
            } finally {
                workerReturned.set(true); // also when the hang guard gives up
            }
        }, cleanups::incrementAndGet, idle);
        TestSupport.await(workerStarted);
        CompletableFuture<Void> waited = new CompletableFuture<>();
        AtomicBoolean waiterReturned = new AtomicBoolean();
        Thread waiter = new Thread(() -> {
            try {
                task.waitThread();
                waiterReturned.set(true);
                waited.complete(null);
            } catch (Throwable e) {
                waited.completeExceptionally(e);
            }
        }, "parked-waiter");
        waiter.start();
        TestSupport.spinUntil(() -> waiter.getState() == Thread.State.WAITING);

        assertTrue(task.cancel(false));
        TestSupport.await(callbackRan);

        assertFalse(workerReturnedBeforeCallback.get(), "the cancelled callback did not wait for the worker");
        assertSame(waiter, callbackThread.get(), "the waiter ran the callback");
        assertInstanceOf(TaskCancelledException.class, seen.get());
        assertFalse(waiterReturned.get(), "waitThread returns only once the task has finished");
        assertEquals(0, cleanups.get(), "cleanups wait for the worker");
        releaseWorker.countDown();
        TestSupport.get(waited);
        assertEquals(TaskState.FINISHED, task.state());
        assertEquals(2, cleanups.get());
        waiter.join();
        TestSupport.flush(idle, true);
        assertEquals(1, calls.get(), "exactly once: never also on the context");
    }

    /**
     * Cancelling or disposing a job still queued behind busy workers ends the
     * task at once (cancelled callback, every cleanup, source released,
     * FINISHED) without waiting for a pool thread; the job, when a thread
     * takes it later, does nothing.
     */
    @BothRunners
    void cancellingAQueuedJobFinishesTheTaskWithoutAPoolThread(boolean virtualThreads) {
        runtime = TestSupport.strictPool(virtualThreads);
        assumeFalse(runtime.runner().usesVirtualThreads(), "only a pool queues workers");
        EventContext context = runtime.contexts().create("queued-ends");
        CountDownLatch release = new CountDownLatch(1);
        occupyTheOnlyWorker(context, release, t -> { });

        AtomicInteger workerRuns = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        AtomicInteger callbackCleanups = new AtomicInteger();
        AtomicInteger workerCleanups = new AtomicInteger();
        List<Task<String, Void>> ended = new ArrayList<>();
        for (String how : List.of("cancel", "inspector", "dispose")) {
            Task<String, Void> task = runtime.tasks().create(how, t -> {
                calls.incrementAndGet();
                seen.set(t.propagateError());
            }, callbackCleanups::incrementAndGet);
            task.runInThread(t -> workerRuns.incrementAndGet(), workerCleanups::incrementAndGet, context);
            assertEquals(TaskState.QUEUED, task.state(), how);
            int callsBefore = calls.get();
            switch (how) {
            case "cancel":
                assertTrue(task.cancel(true));
                break;
            case "inspector":
                assertTrue(runtime.inspector().cancel(task.id()));
                break;
            default:
                assertTrue(task.dispose());
            }
            if (!how.equals("dispose")) {
                TestSupport.driveUntil(context, () -> calls.get() > callsBefore);
                assertInstanceOf(TaskCancelledException.class, seen.get(), how);
            }
            // At once, the pool thread still blocked: ended in the cancelled callback's thread, or by dispose().
            assertEquals(TaskState.FINISHED, task.state(), how);
            assertEquals(ended.size() + 1, workerCleanups.get(), how + ": worker cleanup");
            assertEquals(ended.size() + 1, callbackCleanups.get(), how + ": callback cleanup");
            assertThrows(IllegalStateException.class, task::source, how + ": source released");
            assertTrue(runtime.inspector().find(task.id()).isEmpty(), how);
            task.waitThread(); // finished: at once
            ended.add(task);
        }
        assertEquals(2, calls.get());

        // The pool thread then takes the dropped jobs (FIFO, before this marker's) and does nothing with them.
        AtomicBoolean markerRan = new AtomicBoolean();
        Task<String, Void> marker = runtime.tasks().create("marker", t -> { }, null);
        marker.runInThread(t -> markerRan.set(true), null, context);
        release.countDown();
        marker.waitThread();
        assertTrue(markerRan.get());
        TestSupport.flush(context, true);
        assertEquals(0, workerRuns.get(), "a dropped job never runs its worker");
        assertEquals(2, calls.get());
        assertEquals(3, workerCleanups.get());
        assertEquals(3, callbackCleanups.get());
        for (Task<String, Void> task : ended) {
            assertEquals(TaskState.FINISHED, task.state());
        }
    }


    @BothRunners
    void cancelBeforeStart(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("cancel-before");
        AtomicReference<Throwable> seen = new AtomicReference<>();
        AtomicReference<Thread> callbackThread = new AtomicReference<>();
        AtomicBoolean callbackInContext = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger workerRuns = new AtomicInteger();
        AtomicInteger workerCleanups = new AtomicInteger();
        AtomicInteger cleanups = new AtomicInteger();
        IOException earlier = new IOException("earlier");
        Task<String, Void> task = runtime.tasks().<String, Void>builder("s", t -> {
            calls.incrementAndGet();
            callbackThread.set(Thread.currentThread());
            callbackInContext.set(context.inContext());
            seen.set(t.propagateError());
        }).name("to-cancel").cleanup(cleanups::incrementAndGet).context(context).create();
        task.setError(earlier);

        assertTrue(task.cancel(true));
        assertTrue(task.isCancelled());
        assertFalse(task.cancel(true), "already cancelled");
        task.runInThread(t -> workerRuns.incrementAndGet(), workerCleanups::incrementAndGet, context);
        assertEquals(1, workerCleanups.get(), "the worker's data is released at once");
        task.complete(); // tolerated: does nothing
        TestSupport.driveUntil(context, () -> calls.get() > 0);

        assertEquals(0, workerRuns.get(), "the worker never runs");
        assertEquals(1, calls.get());
        assertSame(Thread.currentThread(), callbackThread.get());
        assertTrue(callbackInContext.get(), "the cancelled callback runs on the task's context");
        TaskCancelledException cancelled = assertInstanceOf(TaskCancelledException.class, seen.get());
        assertTrue(cancelled.getMessage().contains("to-cancel"));
        assertEquals(List.of(earlier), List.of(cancelled.getSuppressed()));
        assertEquals(1, cleanups.get());
        assertEquals(1, workerCleanups.get());
        assertEquals(TaskState.FINISHED, task.state());
    }

    @BothRunners
    void cancelWhileQueued(boolean virtualThreads) {
        runtime = TestSupport.strictPool(virtualThreads);
        assumeFalse(runtime.runner().usesVirtualThreads(), "only a pool queues workers");
        EventContext context = runtime.contexts().create("cancel-queued");
        CountDownLatch release = new CountDownLatch(1);
        Task<String, Void> blocker = occupyTheOnlyWorker(context, release, t -> { });

        AtomicInteger workerRuns = new AtomicInteger();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        CountDownLatch cleaned = new CountDownLatch(2);
        AtomicInteger cleanups = new AtomicInteger();
        Task<String, Void> task = runtime.tasks().create("s", t -> seen.set(t.propagateError()), () -> {
            cleanups.incrementAndGet();
            cleaned.countDown();
        });
        task.runInThread(t -> workerRuns.incrementAndGet(), () -> {
            cleanups.incrementAndGet();
            cleaned.countDown();
        }, context);
        assertEquals(TaskState.QUEUED, task.state());
        assertTrue(task.cancel(true));
        TestSupport.driveUntil(context, () -> seen.get() != null);
        assertInstanceOf(TaskCancelledException.class, seen.get());
        release.countDown();
        TestSupport.await(cleaned);
        TestSupport.driveUntil(context, () -> blocker.state() == TaskState.FINISHED);
        assertEquals(0, workerRuns.get(), "a cancelled queued worker never runs");
        assertEquals(2, cleanups.get());
    }

    @BothRunners
    void cancelWhileRunningInterruptsTheWorker(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().start("cancel-running");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch callbackDone = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(3);
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        AtomicBoolean sawCancelled = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        AtomicReference<Object> seenResult = new AtomicReference<>("unset");
        AtomicReference<Thread> callbackThread = new AtomicReference<>();
        AtomicInteger callbackCleanups = new AtomicInteger();
        AtomicInteger workerCleanups = new AtomicInteger();
        Resource late = new Resource("late");
        Task<String, Resource> task = runtime.tasks().create("s", t -> {
            calls.incrementAndGet();
            callbackThread.set(Thread.currentThread());
            seen.set(t.propagateError());
            seenResult.set(t.result());
            callbackDone.countDown();
        }, () -> {
            callbackCleanups.incrementAndGet();
            finished.countDown();
        });
        task.runInThread(t -> {
            started.countDown();
            try {
                new CountDownLatch(1).await(); // until interrupted
            } catch (InterruptedException e) {
                sawInterrupt.set(true);
            }
            sawCancelled.set(t.isCancelled());
            // The callback does not wait for the worker; let it run first.
            callbackDone.await();
            t.setResult(late, r -> {
                r.release();
                finished.countDown();
            });
        }, () -> {
            workerCleanups.incrementAndGet();
            finished.countDown();
        }, context);
        TestSupport.await(started);
        TestSupport.spinUntil(() -> task.state() == TaskState.RUNNING);

        assertTrue(task.cancel(true));
        TestSupport.await(finished);

        assertTrue(sawInterrupt.get());
        assertTrue(sawCancelled.get());
        assertEquals(1, calls.get());
        assertEquals("cancel-running", callbackThread.get().getName());
        assertInstanceOf(TaskCancelledException.class, seen.get());
        assertNull(seenResult.get());
        assertEquals(1, late.released.get(), "a result set late is cleaned up");
        assertEquals(1, callbackCleanups.get());
        assertEquals(1, workerCleanups.get());
        // The latch counted down in the last cleanup, on the finishing thread, which sets FINISHED after it.
        TestSupport.spinUntil(() -> task.state() == TaskState.FINISHED);
        TestSupport.flush(context, false);
        assertEquals(1, calls.get());
        assertFalse(task.cancel(true));
    }

    @BothRunners
    void cancelWithoutInterruptLetsTheWorkerPoll(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("cancel-poll");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(2);
        AtomicBoolean interrupted = new AtomicBoolean(true);
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        AtomicReference<Throwable> workerError = new AtomicReference<>();
        IOException lateError = new IOException("late");
        Task<String, Void> task = runtime.tasks().create("s", t -> {
            calls.incrementAndGet();
            seen.set(t.propagateError());
        }, finished::countDown);
        task.runInThread(t -> {
            started.countDown();
            while (!t.isCancelled()) {
                Thread.onSpinWait();
            }
            interrupted.set(Thread.currentThread().isInterrupted());
            throw lateError;
        }, finished::countDown, context);
        TestSupport.await(started);

        assertTrue(task.cancel(false));
        TestSupport.driveUntil(context, () -> calls.get() > 0);
        TestSupport.await(finished);

        assertFalse(interrupted.get(), "cancel(false) does not interrupt");
        assertEquals(1, calls.get());
        assertInstanceOf(TaskCancelledException.class, seen.get());
        assertNull(workerError.get());
        TestSupport.flush(context, true);
        assertEquals(1, calls.get());
    }

    @BothRunners
    void cancelHooksRunOnceInTheCancellingThread(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("hooks");
        AtomicReference<Thread> hookThread = new AtomicReference<>();
        AtomicInteger hooks = new AtomicInteger();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Task<String, Void> task = runtime.tasks().<String, Void>builder("s", t -> seen.set(t.propagateError()))
                .context(context).create();
        task.onCancel(() -> {
            hooks.incrementAndGet();
            hookThread.set(Thread.currentThread());
        });
        assertEquals(0, hooks.get());
        assertTrue(task.cancel(false, "because"));
        assertEquals(1, hooks.get(), "the hook ran before cancel returned");
        assertSame(Thread.currentThread(), hookThread.get());
        task.onCancel(hooks::incrementAndGet);
        assertEquals(2, hooks.get(), "a hook added after the cancellation runs at once");
        assertFalse(task.cancel(true));
        TestSupport.driveUntil(context, () -> seen.get() != null);
        assertTrue(seen.get().getMessage().contains("because"));
        assertEquals(2, hooks.get());

        AtomicInteger never = new AtomicInteger();
        Task<String, Void> completed = runtime.tasks().create("s", t -> { }, null);
        completed.onCancel(never::incrementAndGet);
        completed.complete();
        assertFalse(completed.cancel(true));
        assertFalse(completed.dispose());
        assertEquals(0, never.get(), "never if the task completes otherwise");
        assertThrows(IllegalStateException.class, () -> completed.onCancel(never::incrementAndGet));

        AtomicInteger disposed = new AtomicInteger();
        Task<String, Void> toDispose = runtime.tasks().create("s", t -> { }, null);
        toDispose.onCancel(disposed::incrementAndGet);
        assertTrue(toDispose.dispose());
        assertEquals(1, disposed.get());
    }

    @BothRunners
    void cancelAfterCompletionChangesNothing(boolean virtualThreads) {
        start(virtualThreads);
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger cleanups = new AtomicInteger();
        Task<String, Void> task = runtime.tasks().create("s", t -> calls.incrementAndGet(), cleanups::incrementAndGet);
        task.complete();

        assertFalse(task.cancel(true));
        assertFalse(task.isCancelled());
        assertFalse(task.dispose());
        assertEquals(TaskState.FINISHED, task.state());
        TestSupport.flush(runtime.defaultContext(), false);
        assertEquals(1, calls.get());
        assertEquals(1, cleanups.get());
    }

    @BothRunners
    void disposeWhileTheWorkerRuns(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("dispose-running");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch letReturn = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(3);
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger callbackCleanups = new AtomicInteger();
        AtomicInteger workerCleanups = new AtomicInteger();
        Resource result = new Resource("r");
        Task<String, Resource> task = runtime.tasks().create("s", t -> calls.incrementAndGet(), () -> {
            callbackCleanups.incrementAndGet();
            finished.countDown();
        });
        task.runInThread(t -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                sawInterrupt.set(true);
            }
            letReturn.await();
            t.setResult(result, r -> {
                r.release();
                finished.countDown();
            });
        }, () -> {
            workerCleanups.incrementAndGet();
            finished.countDown();
        }, context);
        TestSupport.await(started);
        TestSupport.spinUntil(() -> task.state() == TaskState.RUNNING);

        assertTrue(task.dispose());
        assertEquals(TaskState.DISPOSED, task.state());
        assertTrue(task.isCancelled());
        assertEquals(0, callbackCleanups.get(), "cleanups wait for the worker to return");
        assertEquals(0, workerCleanups.get());
        letReturn.countDown();
        TestSupport.await(finished);

        assertTrue(sawInterrupt.get());
        assertEquals(1, callbackCleanups.get());
        assertEquals(1, workerCleanups.get());
        assertEquals(1, result.released.get());
        // The latch counted down in the last cleanup, on the finishing thread, which sets FINISHED after it.
        TestSupport.spinUntil(() -> task.state() == TaskState.FINISHED);
        TestSupport.flush(context, true);
        TestSupport.flush(context, true);
        assertEquals(0, calls.get(), "a disposed task never runs its callback");
        assertFalse(task.dispose());
    }

    // ------------------------------------------------------------------ inspector, runner, runtime

    @BothRunners
    void inspectorListsTasksInFlight(boolean virtualThreads) {
        runtime = TestSupport.runtime(TaskRuntime.builder().name("test-owner").virtualThreads(virtualThreads)
                .maxPlatformThreads(4), virtualThreads);
        EventContext context = runtime.contexts().create("inspected");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> workerName = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        assertTrue(runtime.inspector().inFlight().isEmpty());
        Task<String, Void> task = runtime.tasks().<String, Void>builder("the-source", t -> done.set(true))
                .name("inspected-task").create();
        Optional<TaskInfo> pending = runtime.inspector().find(task.id());
        assertTrue(pending.isPresent());
        assertEquals(TaskState.PENDING, pending.get().state());
        assertNull(pending.get().thread());

        task.runInThread(t -> {
            workerName.set(Thread.currentThread().getName());
            started.countDown();
            release.await();
        }, null, context);
        TestSupport.await(started);
        TestSupport.spinUntil(() -> task.state() == TaskState.RUNNING);
        List<TaskInfo> inFlight = runtime.inspector().inFlight();
        assertEquals(1, inFlight.size());
        TaskInfo info = inFlight.get(0);
        assertEquals(task.id(), info.id());
        assertEquals("inspected-task", info.name());
        assertEquals("test-owner", info.owner());
        assertEquals("the-source", info.source());
        assertEquals(TaskState.RUNNING, info.state());
        assertEquals(workerName.get(), info.thread());
        assertFalse(runtime.inspector().cancel(task.id() + 1000), "unknown id");

        release.countDown();
        TestSupport.driveUntil(context, done::get);
        assertTrue(runtime.inspector().inFlight().isEmpty());
        assertTrue(runtime.inspector().find(task.id()).isEmpty());
        assertFalse(runtime.inspector().cancel(task.id()));
    }

    /** A worker that is also a Thread (never started): the task must not take it for the thread running it. */
    private static final class ThreadWorker extends Thread implements task.api.TaskWorker<String, String> {
        @Override
        public void run(Task<String, String> task) {
            task.setResult("ran", null);
        }
    }

    @org.junit.jupiter.api.Test
    void aQueuedWorkerThatIsAThreadIsNeitherRunningNorInterrupted() {
        runtime = TestSupport.strictPool(false);
        EventContext context = runtime.contexts().create("thread-worker");
        CountDownLatch releaseBlocker = new CountDownLatch(1);
        AtomicBoolean blockerDone = new AtomicBoolean();
        occupyTheOnlyWorker(context, releaseBlocker, t -> blockerDone.set(true));

        ThreadWorker worker = new ThreadWorker();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Task<String, String> queued = runtime.tasks().create("queued", t -> seen.set(t.propagateError()), null);
        queued.runInThread(worker, null, context);
        assertEquals(TaskState.QUEUED, queued.state());
        assertNull(runtime.inspector().find(queued.id()).orElseThrow().thread());
        assertTrue(queued.cancel(true));
        assertFalse(worker.isInterrupted(), "the worker object was interrupted as if it were the running thread");

        releaseBlocker.countDown();
        TestSupport.driveUntil(context, () -> blockerDone.get() && seen.get() != null);
        assertInstanceOf(TaskCancelledException.class, seen.get());
    }

    @BothRunners
    void inspectorCancelsATaskInFlight(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("inspector-cancel");
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Task<String, Void> task = runtime.tasks().<String, Void>builder("s", t -> seen.set(t.propagateError()))
                .context(context).create();
        assertTrue(runtime.inspector().cancel(task.id()));
        TestSupport.driveUntil(context, () -> seen.get() != null);
        assertInstanceOf(TaskCancelledException.class, seen.get());
        assertTrue(runtime.inspector().inFlight().isEmpty());
    }

    @BothRunners
    void runnerRejectsAfterStopAndTheTaskCompletesWithTheRejection(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("rejected");
        assertTrue(((WorkerThreads) runtime.runner()).stop(Duration.ofSeconds(5)));
        assertThrows(RejectedExecutionException.class, () -> runtime.runner().execute(() -> { }));

        AtomicInteger workerRuns = new AtomicInteger();
        AtomicInteger cleanups = new AtomicInteger();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Task<String, Void> task = runtime.tasks().create("s", t -> seen.set(t.propagateError()),
                cleanups::incrementAndGet);
        task.runInThread(t -> workerRuns.incrementAndGet(), cleanups::incrementAndGet, context);
        TestSupport.driveUntil(context, () -> seen.get() != null);

        assertInstanceOf(RejectedExecutionException.class, seen.get());
        assertEquals(0, workerRuns.get());
        assertEquals(2, cleanups.get());
        assertEquals(TaskState.FINISHED, task.state());
    }

    @BothRunners
    void runtimeCloseDisposesTasksInFlight(boolean virtualThreads) {
        start(virtualThreads);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger threadedCleanups = new AtomicInteger();
        AtomicInteger workerCleanups = new AtomicInteger();
        AtomicInteger pendingCleanups = new AtomicInteger();
        Task<String, Void> threaded = runtime.tasks().create("threaded", t -> calls.incrementAndGet(),
                threadedCleanups::incrementAndGet);
        threaded.runInThread(t -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                sawInterrupt.set(true);
            }
        }, workerCleanups::incrementAndGet, null);
        Task<String, Void> pending = runtime.tasks().create("pending", t -> calls.incrementAndGet(),
                pendingCleanups::incrementAndGet);
        TestSupport.await(started);

        runtime.close();

        assertTrue(sawInterrupt.get());
        assertEquals(0, calls.get(), "no callback runs");
        assertEquals(1, threadedCleanups.get());
        assertEquals(1, workerCleanups.get());
        assertEquals(1, pendingCleanups.get());
        assertEquals(TaskState.FINISHED, threaded.state());
        assertEquals(TaskState.FINISHED, pending.state());
        assertTrue(runtime.inspector().inFlight().isEmpty());
        assertThrows(IllegalStateException.class, () -> runtime.tasks().create("late", t -> { }, null));
        assertTrue(runtime.defaultContext().isClosed());
    }

    /**
     * Blocks the only thread of a {@link TestSupport#strictPool} until
     * {@code release}: jobs queue behind it from then on.
     *
     * @return the blocking task
     */
    private Task<String, Void> occupyTheOnlyWorker(EventContext context, CountDownLatch release,
            TaskCallback<String, Void> callback) {
        CountDownLatch started = new CountDownLatch(1);
        Task<String, Void> blocker = runtime.tasks().create("blocker", callback, null);
        blocker.runInThread(t -> {
            started.countDown();
            release.await();
        }, null, context);
        TestSupport.await(started);
        return blocker;
    }
}
