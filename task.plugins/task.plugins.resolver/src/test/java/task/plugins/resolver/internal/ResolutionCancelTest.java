package task.plugins.resolver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCancelledException;
import task.api.TaskState;
import task.impl.TaskRuntime;
import task.plugins.resolver.AddressFamily;
import task.plugins.resolver.Outcome;

/**
 * Cancellation at the two points the worker checks: while the lookup is
 * held open (the callback comes at once; the lookup's result is dropped when
 * it returns) and while the worker is still queued (no lookup at all).
 */
@Timeout(60)
class ResolutionCancelTest {
    private TaskRuntime runtime;

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void cancelDuringLookupCallsBackAtOnceAndDropsTheResult() {
        runtime = TaskRuntime.start();
        EventContext context = runtime.contexts().create("cancel-during-lookup");
        HeldLookup held = new HeldLookup();
        AtomicInteger converted = new AtomicInteger();
        Function<List<SocketAddress>, List<SocketAddress>> toResult = found -> {
            converted.incrementAndGet();
            return found;
        };
        Outcome<String, List<SocketAddress>> outcome = new Outcome<>(context);
        Task<String, List<SocketAddress>> task = runtime.tasks().builder("held", outcome).context(context).create();
        Resolution.start(task, InetSocketAddress.createUnresolved("held.example", 80), AddressFamily.ANY, context,
                held, toResult);

        awaitUninterruptibly(held.entered);
        assertTrue(task.cancel(true, "test cancels mid-lookup"));
        outcome.drive();
        assertFalse(held.returned, "the cancelled callback must not wait for the lookup");
        assertInstanceOf(TaskCancelledException.class, outcome.error());
        assertNull(outcome.result());

        held.release.countDown();
        task.waitThread();
        assertEquals(TaskState.FINISHED, task.state());
        assertTrue(held.returned);
        assertEquals(0, converted.get(), "a cancelled lookup's addresses must be dropped");
        assertEquals(1, outcome.calls());
    }

    @Test
    void cancelWhileQueuedMakesNoLookup() {
        // One platform worker thread, kept busy, and no stand-in or growth
        // thread (maxExtraThreads 0), so the resolution stays queued.
        runtime = TaskRuntime.builder().virtualThreads(false).maxPlatformThreads(1).maxExtraThreads(0).start();
        EventContext context = runtime.contexts().create("cancel-while-queued");
        CountDownLatch blockerRunning = new CountDownLatch(1);
        CountDownLatch releaseBlocker = new CountDownLatch(1);
        Task<String, Void> blocker = runtime.tasks().create("blocker", t -> { }, null);
        blocker.runInThread(t -> {
            blockerRunning.countDown();
            awaitUninterruptibly(releaseBlocker);
        }, null, context);
        awaitUninterruptibly(blockerRunning);

        HeldLookup held = new HeldLookup();
        held.release.countDown();
        Outcome<String, List<SocketAddress>> outcome = new Outcome<>(context);
        Task<String, List<SocketAddress>> task = runtime.tasks().builder("queued", outcome).context(context).create();
        Resolution.start(task, InetSocketAddress.createUnresolved("queued.example", 80), AddressFamily.ANY, context,
                held, Function.identity());
        assertEquals(TaskState.QUEUED, task.state());
        assertTrue(task.cancel(true));
        releaseBlocker.countDown();
        blocker.waitThread();
        outcome.drive();
        task.waitThread();
        assertInstanceOf(TaskCancelledException.class, outcome.error());
        assertEquals(0, held.calls.get(), "a task cancelled while queued must not look anything up");
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // keep waiting: the test's own latch protocol ends the wait
            }
        }
    }
}
