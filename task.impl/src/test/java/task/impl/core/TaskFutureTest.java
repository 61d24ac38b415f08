package task.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import task.api.TaskCancelledException;
import task.api.TaskFuture;
import task.api.TaskInfo;
import task.api.TaskService;
import task.impl.TaskRuntime;
import task.impl.TestSupport;

/** TaskService.supply and adopt: a task's outcome as a future, and a stage as a task. */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class TaskFutureTest {
    private TaskRuntime runtime;
    private TaskService tasks;
    private EventContext ui;

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

    /** Blocks until interrupted; counts the interrupt. */
    private static String untilInterrupted(CountDownLatch started, AtomicInteger interrupted) {
        started.countDown();
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            interrupted.incrementAndGet();
        }
        return "interrupted";
    }

    @Test
    void theFutureCompletesOnTheContextAndItsActionsRunThere() throws Exception {
        CountDownLatch chained = new CountDownLatch(1);
        TaskFuture<String> future = tasks.supply("load", () -> {
            chained.await(); // completes only after the action below is chained
            return "value";
        }, ui);
        CompletableFuture<String> where = future.toCompletableFuture()
                .thenApply(value -> value + " on " + Thread.currentThread().getName());
        chained.countDown();
        assertEquals("value on ui", TestSupport.get(where));
        assertEquals("value", TestSupport.get(future));
        assertEquals("ui", TestSupport.get(future.thenApplyAsync(v -> Thread.currentThread().getName())
                .toCompletableFuture()), "async actions run on the context, whenever they are chained");
        assertEquals(ui, future.context());
        assertTrue(future.taskId() > 0);
    }

    @Test
    void aWorkersExceptionFailsTheFuture() {
        TaskFuture<String> future = tasks.supply("fails", () -> {
            throw new IOException("disk gone");
        }, ui);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, failed.getCause());
        assertEquals("disk gone", failed.getCause().getMessage());
    }

    @Test
    void cancellingTheFutureCancelsTheTaskAndInterruptsItsWorker() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        TaskFuture<String> future = tasks.supply("blocks", () -> untilInterrupted(started, interrupted), ui);
        TestSupport.await(started);
        assertTrue(future.cancel(true));
        assertTrue(future.isCancelled());
        TestSupport.spinUntil(() -> interrupted.get() == 1);
        TestSupport.spinUntil(() -> runtime.inspector().inFlight().isEmpty());
    }

    @Test
    void aTimeoutCancelsTheTaskAndInterruptsItsWorker() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        TaskFuture<String> future = tasks.supply("slow", () -> untilInterrupted(started, interrupted), ui);
        TestSupport.await(started);
        future.toCompletableFuture().orTimeout(1, TimeUnit.MILLISECONDS);
        ExecutionException timedOut = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        assertInstanceOf(java.util.concurrent.TimeoutException.class, timedOut.getCause());
        TestSupport.spinUntil(() -> interrupted.get() == 1);
    }

    @Test
    void cancellingAChainCancelsTheStepInFlight() throws Exception {
        // The first step in flight.
        CountDownLatch firstStarted = new CountDownLatch(1);
        AtomicInteger firstInterrupted = new AtomicInteger();
        TaskFuture<String> first = tasks.supply("resolve", () -> untilInterrupted(firstStarted, firstInterrupted), ui);
        CompletableFuture<String> chain = first.thenCompose(v -> tasks.supply("connect", () -> v, ui))
                .thenApply(String::toUpperCase).toCompletableFuture();
        TestSupport.await(firstStarted);
        assertTrue(chain.cancel(true));
        TestSupport.spinUntil(() -> firstInterrupted.get() == 1);
        assertTrue(first.isCancelled());

        // The second step in flight.
        CountDownLatch secondStarted = new CountDownLatch(1);
        AtomicInteger secondInterrupted = new AtomicInteger();
        TaskFuture<String> resolved = tasks.supply("resolve", () -> "127.0.0.1", ui);
        CompletableFuture<String> chain2 = resolved
                .thenCompose(v -> tasks.supply("connect", () -> untilInterrupted(secondStarted, secondInterrupted), ui))
                .toCompletableFuture();
        TestSupport.await(secondStarted);
        assertTrue(chain2.cancel(true));
        TestSupport.spinUntil(() -> secondInterrupted.get() == 1);
        TestSupport.spinUntil(() -> runtime.inspector().inFlight().isEmpty());
    }

    @Test
    void aChainRunsItsStepsInOrderOnTheContext() {
        CompletableFuture<String> chain = tasks.supply("resolve", () -> "127.0.0.1", ui)
                .thenCompose(address -> tasks.supply("connect", () -> address + ":80", ui))
                .thenApplyAsync(connected -> connected + " on " + Thread.currentThread().getName())
                .toCompletableFuture();
        assertEquals("127.0.0.1:80 on ui", TestSupport.get(chain));
    }

    @Test
    void aResultThatReachesTheFutureIsTheTakersAndOneThatCannotIsReleasedOnce() throws Exception {
        AtomicInteger released = new AtomicInteger();
        TaskFuture<String> taken = tasks.supply("open", () -> "file", value -> released.incrementAndGet(), ui);
        assertEquals("file", TestSupport.get(taken));

        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        TaskFuture<String> dropped = tasks.supply("open", () -> {
            started.countDown();
            go.await();
            return "late file";
        }, value -> released.incrementAndGet(), ui);
        TestSupport.await(started);
        assertTrue(dropped.cancel(false)); // no interrupt: the worker still returns its result
        go.countDown();
        TestSupport.spinUntil(() -> released.get() == 1);
        runtime.close();
        assertEquals(1, released.get(), "only the result nobody took is released, once");
    }

    @Test
    void theOwnerGoingAwayCancelsTheFuture() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        TaskFuture<String> future = tasks.supply("blocks", () -> untilInterrupted(started, new AtomicInteger()), ui);
        TestSupport.await(started);
        runtime.close(); // disposes the tasks of its service
        assertTrue(future.isDone());
        assertTrue(future.isCancelled(), future::toString);
    }

    @Test
    void anAdoptedStageIsATaskInFlightDeliveredOnTheContext() throws Exception {
        CompletableFuture<String> external = new CompletableFuture<>();
        TaskFuture<String> adopted = tasks.adopt("external call", external, null, ui);
        List<TaskInfo> inFlight = runtime.inspector().inFlight();
        assertTrue(inFlight.stream().anyMatch(info -> info.name().equals("external call")), inFlight::toString);
        CompletableFuture<String> where = adopted.toCompletableFuture()
                .thenApply(value -> value + " on " + Thread.currentThread().getName());
        external.complete("answer"); // on this thread: delivered on the context all the same
        assertEquals("answer on ui", TestSupport.get(where));
        TestSupport.spinUntil(() -> runtime.inspector().inFlight().isEmpty());
    }

    @Test
    void anAdoptedStagesFailureIsTheFuturesAndCancellingTheFutureCancelsTheStage() throws Exception {
        CompletableFuture<String> failing = new CompletableFuture<>();
        TaskFuture<String> adopted = tasks.adopt("failing", failing, null, ui);
        failing.completeExceptionally(new IOException("refused"));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> adopted.get(10, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, failed.getCause());

        CompletableFuture<String> pending = new CompletableFuture<>();
        TaskFuture<String> cancelled = tasks.adopt("pending", pending, null, ui);
        assertTrue(cancelled.cancel(true));
        assertTrue(pending.isCancelled(), "the adopted stage is cancelled with its future");

        CompletableFuture<String> viaTask = new CompletableFuture<>();
        TaskFuture<String> byId = tasks.adopt("by id", viaTask, null, ui);
        assertTrue(runtime.inspector().cancel(byId.taskId()));
        assertTrue(viaTask.isCancelled(), "cancelling the task (task:cancel) cancels the stage");
        CancellationException gone = cancellationOf(byId);
        assertInstanceOf(TaskCancelledException.class, gone);
    }

    @Test
    void anAdoptedResultNobodyCanTakeIsReleasedOnce() throws Exception {
        AtomicInteger released = new AtomicInteger();
        CompletableFuture<String> late = new CompletableFuture<>();
        // A stage that cannot be cancelled: it completes anyway, after its future was cancelled.
        TaskFuture<String> adopted = tasks.adopt("late", late.minimalCompletionStage(),
                value -> released.incrementAndGet(), ui);
        assertTrue(adopted.cancel(true));
        late.complete("connection");
        TestSupport.spinUntil(() -> released.get() == 1);
        runtime.close();
        assertEquals(1, released.get());
    }

    @Test
    void badInputNamesTheArgument() {
        assertEquals("a task future's name must not be blank",
                assertThrows(IllegalArgumentException.class, () -> tasks.supply(" ", () -> 1, ui)).getMessage());
        assertEquals("work", assertThrows(NullPointerException.class, () -> tasks.supply("x", null, ui)).getMessage());
        assertEquals("stage", assertThrows(NullPointerException.class,
                () -> tasks.adopt("x", null, null, ui)).getMessage());
        assertFalse(runtime.inspector().inFlight().stream().anyMatch(info -> info.name().equals("x")));
    }

    /**
     * The cancellation a cancelled future's {@code get} reports: on JDK 23
     * and later {@code get} throws a new {@code CancellationException("get")}
     * caused by the future's own, which is returned here.
     */
    static CancellationException cancellationOf(java.util.concurrent.Future<?> future) {
        CancellationException thrown = assertThrows(CancellationException.class, () -> future.get(10, TimeUnit.SECONDS));
        while (thrown.getCause() instanceof CancellationException) {
            thrown = (CancellationException) thrown.getCause();
        }
        return thrown;
    }
}
