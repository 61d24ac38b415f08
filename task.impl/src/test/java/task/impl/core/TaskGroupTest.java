package task.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCancelledException;
import task.api.TaskFuture;
import task.api.TaskGroup;
import task.api.TaskInfo;
import task.api.TaskService;
import task.impl.TaskRuntime;
import task.impl.TestSupport;

/** Task groups: cancelled together, on a failure, at a deadline; awaited; nested; owned. */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class TaskGroupTest {
    private TaskRuntime runtime;
    private TaskService tasks;
    private EventContext context;

    @BeforeEach
    void start() {
        runtime = TestSupport.runtime(false, 8);
        tasks = runtime.tasks();
        context = runtime.contexts().start("group-test");
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    /** A worker that blocks until interrupted and counts it. */
    private static final class Blocker {
        final CountDownLatch started;
        final AtomicInteger interrupted = new AtomicInteger();

        Blocker(int workers) {
            started = new CountDownLatch(workers);
        }

        String run() {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
            }
            return "interrupted";
        }
    }

    @Test
    void cancellingTheGroupCancelsEveryTaskInFlightAndEveryLaterOne() throws Exception {
        TaskGroup group = tasks.group("fetch");
        Blocker blocker = new Blocker(3);
        List<TaskFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            futures.add(group.tasks().supply("fetch " + i, blocker::run, context));
        }
        TestSupport.await(blocker.started);
        assertTrue(group.cancel("enough"));
        assertFalse(group.cancel("again"));
        TestSupport.spinUntil(() -> blocker.interrupted.get() == 3);
        for (TaskFuture<String> future : futures) {
            CancellationException cancelled = TaskFutureTest.cancellationOf(future);
            assertTrue(cancelled.getMessage().contains("group 'fetch' was cancelled: enough"), cancelled.getMessage());
        }
        TaskFuture<String> later = group.tasks().supply("late", () -> "never runs to the future", context);
        assertThrows(CancellationException.class, () -> later.get(10, TimeUnit.SECONDS));
        assertTrue(group.awaitAll(Duration.ofSeconds(10)));
    }

    @Test
    void theFirstFailureCancelsTheGroupWhenAsked() throws Exception {
        TaskGroup group = tasks.group("all or nothing").cancelOnFailure();
        Blocker blocker = new Blocker(1);
        TaskFuture<String> slow = group.tasks().supply("slow", blocker::run, context);
        TestSupport.await(blocker.started);
        TaskFuture<String> failing = group.tasks().supply("failing", () -> {
            throw new IOException("refused");
        }, context);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> failing.get(10, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, failed.getCause());
        TestSupport.spinUntil(() -> blocker.interrupted.get() == 1);
        assertTrue(group.isCancelled());
        assertTrue(TaskFutureTest.cancellationOf(slow).getMessage().contains("task 'failing' failed"));
    }

    @Test
    void withoutCancelOnFailureAFailureLeavesTheOthersRunning() throws Exception {
        TaskGroup group = tasks.group("independent");
        TaskFuture<String> failing = group.tasks().supply("failing", () -> {
            throw new IOException("refused");
        }, context);
        assertThrows(ExecutionException.class, () -> failing.get(10, TimeUnit.SECONDS));
        assertFalse(group.isCancelled());
        assertEquals("ok", TestSupport.get(group.tasks().supply("next", () -> "ok", context)));
    }

    @Test
    void aDeadlineCancelsTheGroup() throws Exception {
        TaskGroup group = tasks.group("bounded").deadline(Duration.ofMillis(1));
        Blocker blocker = new Blocker(1);
        TaskFuture<String> slow = group.tasks().supply("slow", blocker::run, context);
        CancellationException cancelled = TaskFutureTest.cancellationOf(slow);
        assertTrue(cancelled.getMessage().contains("deadline of PT0.001S passed"), cancelled.getMessage());
        assertTrue(group.isCancelled());
    }

    /** An operation that never completes by itself (no worker; an I/O wait that never ends) ends at its deadline. */
    @Test
    void aDeadlineEndsATaskThatWouldNeverComplete() throws Exception {
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        AtomicInteger hooks = new AtomicInteger();
        Task<String, String> task = tasks.<String, String>builder("peer", done -> seen.complete(done.propagateError()))
                .name("wait for a peer").deadline(Duration.ofMillis(1)).context(context).create();
        task.onCancel(hooks::incrementAndGet); // where an operation closes its socket
        Throwable error = TestSupport.get(seen);
        assertInstanceOf(TaskCancelledException.class, error);
        assertEquals("task 'wait for a peer' was cancelled: deadline of PT0.001S passed", error.getMessage());
        assertEquals(1, hooks.get());
        TestSupport.spinUntil(() -> runtime.inspector().inFlight().isEmpty());
    }

    @Test
    void aDeadlineCancelsATaskRunningInAThread() throws Exception {
        Blocker blocker = new Blocker(1);
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        Task<String, String> task = tasks.<String, String>builder("slow", done -> seen.complete(done.propagateError()))
                .name("slow").deadline(Duration.ofMillis(1)).context(context).create();
        task.runInThread(running -> running.setResult(blocker.run()), null, context);
        Throwable error = TestSupport.get(seen);
        assertEquals("task 'slow' was cancelled: deadline of PT0.001S passed", error.getMessage());
        // Whether the worker had started (then it is interrupted) or was still queued (then it never runs),
        // the task ends: nothing is left in flight.
        TestSupport.spinUntil(() -> runtime.inspector().inFlight().isEmpty());
        assertEquals(1 - blocker.started.getCount(), blocker.interrupted.get());
    }

    @Test
    void awaitAllWaitsForEveryTaskAndCloseCancelsTheRest() throws Exception {
        TaskGroup group = tasks.group("batch");
        for (int i = 0; i < 20; i++) {
            int n = i;
            group.tasks().supply("quick " + i, () -> n, context);
        }
        assertTrue(group.awaitAll(Duration.ofSeconds(10)));
        assertTrue(runtime.inspector().inFlight().isEmpty());

        Blocker blocker = new Blocker(1);
        group.tasks().supply("slow", blocker::run, context);
        TestSupport.await(blocker.started);
        assertFalse(group.awaitAll(Duration.ZERO), "one task is in flight");
        group.close();
        assertTrue(group.awaitAll(Duration.ofSeconds(10)));
        assertEquals(1, blocker.interrupted.get());
        assertEquals("task group 'batch' is closed", assertThrows(IllegalStateException.class,
                () -> group.tasks().supply("after", () -> 1, context)).getMessage());
    }

    @Test
    void nestedGroupsAreCancelledWithTheirParentAndShownInTheTaskList() throws Exception {
        TaskGroup parent = tasks.group("page");
        TaskGroup child = parent.tasks().group("images");
        assertEquals("page/images", child.name());
        Blocker blocker = new Blocker(2);
        parent.tasks().supply("html", blocker::run, context);
        child.tasks().supply("logo.png", blocker::run, context);
        TestSupport.await(blocker.started);
        List<TaskInfo> inFlight = runtime.inspector().inFlight();
        assertTrue(inFlight.stream().anyMatch(i -> i.name().equals("logo.png") && "page/images".equals(i.group())),
                inFlight::toString);
        assertTrue(inFlight.stream().anyMatch(i -> i.name().equals("html") && "page".equals(i.group())),
                inFlight::toString);
        assertFalse(parent.awaitAll(Duration.ZERO), "the child's task counts in the parent");

        parent.cancel("navigated away");
        TestSupport.spinUntil(() -> blocker.interrupted.get() == 2);
        assertTrue(child.isCancelled());
        assertTrue(parent.awaitAll(Duration.ofSeconds(10)));
    }

    @Test
    void aFailureInANestedGroupCancelsAParentThatAsked() throws Exception {
        TaskGroup parent = tasks.group("job").cancelOnFailure();
        TaskGroup child = parent.tasks().group("step");
        Blocker blocker = new Blocker(1);
        parent.tasks().supply("other", blocker::run, context);
        TestSupport.await(blocker.started);
        child.tasks().supply("broken", () -> {
            throw new IllegalStateException("broken");
        }, context);
        TestSupport.spinUntil(() -> blocker.interrupted.get() == 1);
        assertTrue(parent.isCancelled());
    }

    @Test
    void theGroupsTasksBelongToItsOwner() throws Exception {
        TaskGroup group = tasks.group("owned");
        Blocker blocker = new Blocker(1);
        TaskFuture<String> slow = group.tasks().supply("slow", blocker::run, context);
        TestSupport.await(blocker.started);
        runtime.close(); // the owner goes: its tasks are disposed, the group's among them
        assertTrue(slow.isCancelled());
        assertTrue(group.awaitAll(Duration.ofSeconds(10)));
        assertThrows(IllegalStateException.class, () -> group.tasks().supply("after", () -> 1, context));
    }

    @Test
    void badInputNamesTheValue() {
        assertEquals("task group: name must be non-blank without '/', got 'a/b'",
                assertThrows(IllegalArgumentException.class, () -> tasks.group("a/b")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> tasks.group(" "));
        assertThrows(NullPointerException.class, () -> tasks.group(null));
        TaskGroup group = tasks.group("g");
        assertEquals("task group 'g': deadline must be positive, got PT0S",
                assertThrows(IllegalArgumentException.class, () -> group.deadline(Duration.ZERO)).getMessage());
        assertEquals("task builder: deadline must be positive, got PT-1S", assertThrows(
                IllegalArgumentException.class, () -> tasks.builder("s", t -> { }).deadline(Duration.ofSeconds(-1)))
                .getMessage());
    }
}
