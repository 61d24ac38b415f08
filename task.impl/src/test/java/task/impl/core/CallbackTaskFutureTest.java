package task.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskFuture;
import task.api.TaskService;
import task.impl.TaskRuntime;
import task.impl.TestSupport;

/**
 * TaskService.future (a callback-style task, as an operation starts one, as
 * a future) and Task.takeResult, with the ownership of a result that has a
 * cleanup across the bridge.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class CallbackTaskFutureTest {
    private TaskRuntime runtime;
    private TaskService tasks;
    private EventContext ui;
    /** What the results' cleanups released, in order. */
    private final List<String> released = new CopyOnWriteArrayList<>();
    /** Counted down when a worker of {@link #connectLike} starts. */
    private final CountDownLatch workerStarted = new CountDownLatch(1);

    @BeforeEach
    void start() {
        runtime = TestSupport.runtime(false, 4);
        tasks = runtime.tasks();
        ui = runtime.contexts().start("ui");
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    /**
     * An operation as plugins write them: a task completing on {@code ui}
     * whose worker waits for {@code go}, then sets a result with a cleanup.
     */
    private Task<String, String> connectLike(TaskCallback<String, String> callback, CountDownLatch go,
            String result) {
        Task<String, String> task = tasks.builder("peer", callback).name("connect-like").context(ui).create();
        task.runInThread(running -> {
            workerStarted.countDown();
            go.await();
            running.setResult(result, released::add);
        }, null, ui);
        return task;
    }

    @Test
    void theResultReachesTheFutureOnTheTasksContextAndIsTheTakers() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        TaskFuture<String> future = tasks.future(
                (TaskCallback<String, String> done) -> connectLike(done, go, "connection"));
        CompletableFuture<String> where = future.toCompletableFuture()
                .thenApply(value -> value + " on " + Thread.currentThread().getName());
        go.countDown();
        assertEquals("connection on ui", TestSupport.get(where));
        assertEquals(ui, future.context());
        TestSupport.spinUntil(() -> runtime.inspector().inFlight().isEmpty());
        assertEquals(List.of(), released, "a result that reached the future is not the task's to release");
    }

    @Test
    void cancellingTheFutureCancelsTheTaskWhoseLateResultItsCleanupReleases() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        TaskFuture<String> future = tasks.future(
                (TaskCallback<String, String> done) -> connectLike(done, go, "late connection"));
        TestSupport.await(workerStarted); // a queued worker would be dropped, and set no result
        assertTrue(future.cancel(false));
        go.countDown(); // the worker returns after the cancel: its result comes too late
        TestSupport.spinUntil(() -> released.size() == 1);
        assertEquals(List.of("late connection"), released);
        assertTrue(future.isCancelled());
    }

    @Test
    void aStepsResultThatCannotReachTheComposedStageIsReleasedOnce() throws Exception {
        TaskFuture<String> first = tasks.supply("resolve-like", () -> "address", ui);
        TestSupport.get(first);
        CountDownLatch go = new CountDownLatch(1);
        TaskFuture<String> step = tasks.future(
                (TaskCallback<String, String> done) -> connectLike(done, go, "connection"));
        // first is done: the function runs now, and the composed stage waits on step.
        CompletableFuture<String> composed = first.thenCompose(address -> step).toCompletableFuture();
        // Chained after the composition's own action, so it runs before it when step
        // completes (a CompletableFuture runs its actions last chained first): the
        // composed stage is cancelled while step holds the result.
        step.thenRun(() -> composed.cancel(false));
        go.countDown();
        TestSupport.spinUntil(() -> composed.isDone() && runtime.inspector().inFlight().isEmpty());
        TestSupport.spinUntil(() -> released.size() == 1);
        assertTrue(composed.isCancelled());
        assertEquals(List.of("connection"), released, "released by its cleanup, exactly once");
    }

    @Test
    void takeResultHandsTheResultToTheCallbackAndItsCleanupDoesNotRun() throws Exception {
        AtomicReference<String> taken = new AtomicReference<>();
        AtomicReference<String> afterwards = new AtomicReference<>("not read");
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        go.countDown();
        connectLike(task -> {
            taken.set(task.takeResult());
            afterwards.set(task.result());
            done.countDown();
        }, go, "connection");
        TestSupport.await(done);
        TestSupport.spinUntil(() -> runtime.inspector().inFlight().isEmpty());
        assertEquals("connection", taken.get());
        assertNull(afterwards.get(), "taken: the task has no result any more");
        assertEquals(List.of(), released);
    }

    @Test
    void aStartThatReturnsNoTaskIsRefused() {
        NullPointerException refused = assertThrows(NullPointerException.class, () -> tasks.future(done -> null));
        assertEquals("the start function of TaskService.future returned no task", refused.getMessage());
        assertThrows(NullPointerException.class, () -> tasks.future(null));
    }
}
