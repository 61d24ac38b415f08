package task.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.EventSource;
import task.api.Task;
import task.api.TaskCancelledException;
import task.api.TaskService;
import task.impl.TaskRuntime;
import task.impl.TestSupport;
import task.testing.LogCapture;

/**
 * GTask's features, tested as GLib's own suite tests them: each method is
 * named after its test in GLib's gio/tests/task.c and checks what that test
 * checks, on this API. Contexts driven by the test ({@code loop}) or with a
 * thread of their own ({@code ui}); ordering by latches, never by time.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class GTaskParityTest {
    private TaskRuntime runtime;
    private TaskService tasks;
    private EventContext loop;
    private EventContext ui;
    /** What ran, in order: callbacks, cleanups. */
    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        runtime = TestSupport.runtime(false, 4);
        tasks = runtime.tasks();
        loop = runtime.contexts().create("loop");
        ui = runtime.contexts().start("ui");
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    /** Iterates the test-driven context until {@code done}, blocking between events. */
    private void driveUntil(java.util.function.BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            loop.iterate(true);
        }
    }

    /** Runs whatever is due on the test-driven context, without blocking. */
    private void drain() {
        while (loop.iterate(false)) {
            // until nothing is due
        }
    }

    // ------------------------------------------------------------------ g_task_run_in_thread_sync

    @Test
    void test_run_in_thread_sync() throws Exception {
        Task<String, String> task = tasks.builder("source", (Task<String, String> t) -> events.add("callback"))
                .cleanup(() -> events.add("data cleanup")).context(loop).create();
        String result = task.runInThreadSync(running -> running.setResult("value", v -> events.add("result cleanup")),
                () -> events.add("worker cleanup"));
        assertEquals("value", result, "the result comes back to the caller");
        assertEquals(List.of("worker cleanup", "data cleanup"), events,
                "no callback, each cleanup once, and the result's not at all: the caller owns it");
        drain();
        assertEquals(2, events.size(), "nothing was left on the context");
        assertTrue(runtime.inspector().inFlight().isEmpty());
    }

    @Test
    void test_run_in_thread_sync_error() {
        IOException failure = new IOException("disk gone");
        Task<String, String> task = tasks.create("source", t -> events.add("callback"), null);
        IOException thrown = assertThrows(IOException.class, () -> task.runInThreadSync(running -> {
            throw failure;
        }, null));
        assertSame(failure, thrown, "the very error");
        assertEquals(List.of(), events);
    }

    // ------------------------------------------------------------------ g_task_propagate_pointer

    @Test
    void test_return_pointer() throws Exception {
        AtomicReference<Object> stolen = new AtomicReference<>();
        Object value = new Object();
        Task<String, Object> task = tasks.builder("source", (Task<String, Object> t) -> {
            stolen.set(t.takeResult());
            assertNull(t.result(), "stolen: the task has no result any more");
        }).context(loop).create();
        task.runInThread(running -> running.setResult(value, v -> events.add("freed")), null, loop);
        driveUntil(() -> stolen.get() != null);
        drain();
        assertSame(value, stolen.get());
        assertEquals(List.of(), events, "a stolen result is not freed by the task");
    }

    // ------------------------------------------------------------------ g_task_set_return_on_cancel

    @Test
    void test_return_on_cancel() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Throwable> error = new AtomicReference<>();
        Task<String, String> task = tasks.create("source", t -> error.set(t.propagateError()), null);
        assertTrue(task.setReturnOnCancel(false));
        task.runInThread(running -> {
            started.countDown();
            release.await();
        }, null, loop);
        TestSupport.await(started);
        assertTrue(task.cancel(false));
        drain();
        assertNull(error.get(), "held: no callback while the worker runs");
        release.countDown();
        driveUntil(() -> error.get() != null);
        assertInstanceOf(TaskCancelledException.class, error.get());
    }

    @Test
    void test_return_on_cancel_atomic() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        CountDownLatch toggled = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicBoolean heldFirst = new AtomicBoolean();
        AtomicBoolean releaseAnswer = new AtomicBoolean(true);
        AtomicReference<Throwable> error = new AtomicReference<>();
        Task<String, String> task = tasks.create("source", t -> error.set(t.propagateError()), null);
        task.runInThread(running -> {
            heldFirst.set(running.setReturnOnCancel(false)); // a section the callback must not see
            holding.countDown();
            cancelled.await();
            releaseAnswer.set(running.setReturnOnCancel(true)); // leaving it, cancelled meanwhile
            toggled.countDown();
            finish.await();
        }, null, loop);
        TestSupport.await(holding);
        assertTrue(task.cancel(false));
        drain();
        assertNull(error.get(), "inside the held section the cancel delivers nothing");
        cancelled.countDown();
        TestSupport.await(toggled);
        driveUntil(() -> error.get() != null); // the worker is still blocked on finish
        assertTrue(heldFirst.get());
        assertFalse(releaseAnswer.get(), "the toggle reports the cancellation");
        assertInstanceOf(TaskCancelledException.class, error.get());
        finish.countDown();
        TestSupport.spinUntil(() -> runtime.inspector().inFlight().isEmpty());
    }

    @Test
    void test_return_on_cancel_refused_once_cancelled() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        AtomicBoolean answer = new AtomicBoolean(true);
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Task<String, String> task = tasks.create("source", t -> error.set(t.propagateError()), null);
        task.runInThread(running -> {
            started.countDown();
            cancelled.await();
            answer.set(running.setReturnOnCancel(false));
        }, null, loop);
        TestSupport.await(started);
        task.cancel(false);
        driveUntil(() -> error.get() != null); // returned early, as by default
        cancelled.countDown();
        TestSupport.spinUntil(() -> runtime.inspector().inFlight().isEmpty());
        assertFalse(answer.get(), "too late to hold: the worker must stop");
    }

    // ------------------------------------------------------------------ g_task_set_check_cancellable

    @Test
    void test_check_cancellable() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> outcome = new AtomicReference<>();
        Task<String, String> task = tasks.create("source", t -> {
            Throwable error = t.propagateError();
            outcome.set(error != null ? "error " + error : "value " + t.result() + ", cancelled " + t.isCancelled());
        }, null);
        task.setReturnOnCancel(false);
        task.setCheckCancellable(false);
        task.runInThread(running -> {
            started.countDown();
            release.await();
            running.setResult("kept");
        }, null, loop);
        TestSupport.await(started);
        task.cancel(false);
        release.countDown();
        driveUntil(() -> outcome.get() != null);
        assertEquals("value kept, cancelled true", outcome.get());
    }

    // ------------------------------------------------------------------ GTask's return semantics

    @Test
    void test_return_from_same_iteration() {
        AtomicBoolean called = new AtomicBoolean();
        AtomicBoolean calledInsideTheEvent = new AtomicBoolean(true);
        loop.post(() -> {
            Task<String, String> task = tasks.builder("source", (Task<String, String> t) -> called.set(true))
                    .context(loop).create();
            task.completeLater();
            calledInsideTheEvent.set(called.get());
        });
        driveUntil(called::get);
        assertFalse(calledInsideTheEvent.get(), "deferred to a later iteration");
    }

    @Test
    void test_return_from_anon_thread() throws Exception {
        AtomicReference<Thread> where = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Task<String, String> task = tasks.builder("source", (Task<String, String> t) -> {
            where.set(Thread.currentThread());
            done.countDown();
        }).context(ui).create();
        Thread anon = new Thread(task::completeLater, "anon");
        anon.start();
        anon.join();
        TestSupport.await(done);
        assertEquals("ui", where.get().getName(), "completed on the task's context, not the returning thread");
    }

    // ------------------------------------------------------------------ g_task_report_error, source tags

    @Test
    void test_report_error() {
        IOException failure = new IOException("Failed");
        AtomicReference<Throwable> seen = new AtomicReference<>();
        AtomicReference<Object> tag = new AtomicReference<>();
        AtomicBoolean calledInsideTheCall = new AtomicBoolean();
        loop.post(() -> {
            tasks.reportError("source", (Task<String, String> t) -> {
                tag.set(t.sourceTag());
                seen.set(t.propagateError());
            }, GTaskParityTest.class, failure, loop);
            calledInsideTheCall.set(seen.get() != null);
        });
        driveUntil(() -> seen.get() != null);
        assertSame(failure, seen.get());
        assertSame(GTaskParityTest.class, tag.get());
        assertFalse(calledInsideTheCall.get(), "reported on a later iteration");
    }

    // ------------------------------------------------------------------ g_task_attach_source

    @Test
    void test_attach_source_set_name() throws Exception {
        CountDownLatch firing = new CountDownLatch(1);
        CountDownLatch seen = new CountDownLatch(1);
        Task<String, String> task = tasks.builder("source", (Task<String, String> t) -> { })
                .name("probe").context(ui).create();
        task.attachTimer(Duration.ZERO, () -> {
            firing.countDown();
            TestSupport.await(seen);
        });
        TestSupport.await(firing);
        String status = runtime.inspector().contexts().stream().filter(c -> c.name().equals("ui"))
                .findFirst().orElseThrow().status();
        seen.countDown();
        assertTrue(status.contains("the timer of task 'probe' (#" + task.id() + ")"), status);
    }

    @Test
    void test_attach_source_removed_when_the_task_finishes() {
        Task<String, String> task = tasks.builder("source", (Task<String, String> t) -> { }).context(loop).create();
        EventSource timer = task.attachTimer(Duration.ofHours(1), () -> events.add("fired"));
        assertTrue(timer.isActive());
        task.complete();
        assertFalse(timer.isActive(), "gone with its task");
        assertThrows(IllegalStateException.class, () -> task.attachTimer(Duration.ZERO, () -> { }));
    }

    // ------------------------------------------------------------------ g_task_set_task_data

    @Test
    void test_error_set_task_data_twice() {
        Task<String, String> task = tasks.create("source", t -> events.add("callback"), () -> events.add("first"));
        task.setCleanup(() -> events.add("second"));
        assertEquals(List.of("first"), events, "the previous data is released at once");
        task.complete();
        assertEquals(List.of("first", "callback", "second"), events);
    }

    // ------------------------------------------------------------------ "finalized without returning a value"

    @Test
    void test_finalize_without_return() {
        try (LogCapture log = new LogCapture("task.runtime");
                TaskRuntime recording = TaskRuntime.builder().recordCreationSites(true).start()) {
            Task<String, String> forgotten = recording.tasks().create("source", t -> fail("never completed"), null);
            Task<String, String> driven = recording.tasks().create("source", t -> { }, null);
            driven.onCancel(() -> { }); // an operation driving it would stop here: not dropped
            CountDownLatch release = new CountDownLatch(1);
            recording.tasks().create("source", t -> { }, null).runInThread(w -> release.countDown()); // runs
            TestSupport.await(release);
            recording.close();
            List<java.util.logging.LogRecord> dropped = log.records().stream()
                    .filter(r -> r.getMessage().contains("dropped without ever finishing")).toList();
            assertEquals(1, dropped.size(), "" + log.others());
            assertTrue(dropped.get(0).getMessage().contains("task 'task-" + forgotten.id() + "' (#" + forgotten.id()
                    + ")"), dropped.get(0).getMessage());
            StackTraceElement[] site = dropped.get(0).getThrown().getStackTrace();
            assertTrue(java.util.Arrays.stream(site)
                    .anyMatch(e -> e.getMethodName().equals("test_finalize_without_return")), "where it was created");
        }
    }

    // ------------------------------------------------------------------ g_task_return_prefixed_error

    @Test
    void test_return_prefixed_error() {
        IOException below = new IOException("Connection refused");
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Task<String, String> task = tasks.create("source", t -> seen.set(t.propagateError()), null);
        task.setPrefixedError("connect 127.0.0.1:9: ", below);
        task.complete();
        IOException error = assertInstanceOf(IOException.class, seen.get(), "the same class");
        assertEquals("connect 127.0.0.1:9: Connection refused", error.getMessage());
        assertSame(below, error.getCause());
    }

    /** An exception class without a public message constructor. */
    static final class Opaque extends RuntimeException {
        Opaque() {
            super("opaque");
        }
    }

    @Test
    void test_return_prefixed_error_that_cannot_be_copied() {
        Opaque below = new Opaque();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Task<String, String> task = tasks.create("source", t -> seen.set(t.propagateError()), null);
        task.setPrefixedError("while probing: ", below);
        task.complete();
        assertSame(below, seen.get(), "kept as it is");
        assertEquals("while probing:", below.getSuppressed()[0].getMessage());
    }
}
