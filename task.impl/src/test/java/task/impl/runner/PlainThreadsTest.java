package task.impl.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;
import task.impl.TaskRuntime;

/**
 * The runtime's own threads (a context's thread, a platform worker) are
 * plain {@code java.lang.Thread}s, not subclasses of ours, and once ended
 * they keep nothing of the runtime: something outside may keep a dead
 * thread for good (Felix 7.0.5's class loaders can; see
 * {@link PlainThreads}), and it must not keep the runtime's objects, nor
 * through them its class loader. The per-thread state the subclasses
 * carried still works: a managed wait in a platform worker finds its
 * worker (and so its pool).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS) // hang guard only
class PlainThreadsTest {
    @Test
    void theRuntimesThreadsArePlainAndKeepNothingOfItOnceEnded() throws Exception {
        TaskRuntime runtime = TaskRuntime.builder().name("plain").virtualThreads(false).maxPlatformThreads(1).start();
        CompletableFuture<Thread> workerThread = new CompletableFuture<>();
        CompletableFuture<Boolean> managed = new CompletableFuture<>();
        CompletableFuture<WeakReference<Worker>> worker = new CompletableFuture<>();
        CompletableFuture<Thread> contextThread = new CompletableFuture<>();
        Task<Object, Void> task = runtime.tasks().create(this, t -> contextThread.complete(Thread.currentThread()),
                null);
        task.runInThread(t -> {
            workerThread.complete(Thread.currentThread());
            worker.complete(new WeakReference<>(Worker.current()));
            boolean begun = ManagedBlocking.begin(); // a managed wait: it must find this thread's worker
            ManagedBlocking.end(begun);
            managed.complete(begun);
        }, null, runtime.defaultContext());
        Thread poolThread = workerThread.get(10, TimeUnit.SECONDS);
        Thread loopThread = contextThread.get(10, TimeUnit.SECONDS);
        assertTrue(managed.get(10, TimeUnit.SECONDS), "a managed wait in a platform worker reached its pool");
        assertEquals(Thread.class, poolThread.getClass());
        assertEquals(Thread.class, loopThread.getClass());

        WeakReference<EventContext> context = new WeakReference<>(runtime.defaultContext());
        WeakReference<Worker> ranWorker = worker.get();
        runtime.close();
        runtime = null;
        task = null;
        poolThread.join(TimeUnit.SECONDS.toMillis(10));
        loopThread.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(poolThread.isAlive());
        assertFalse(loopThread.isAlive());
        // The two dead threads stay strongly reachable here, as a framework may keep them.
        for (int i = 0; i < 50 && (context.get() != null || ranWorker.get() != null); i++) {
            System.gc();
        }
        assertNull(ranWorker.get(), "a dead worker thread keeps its worker");
        assertNull(context.get(), "a dead context thread keeps its context");
        Reference.reachabilityFence(poolThread);
        Reference.reachabilityFence(loopThread);
    }

    @Test
    void aVirtualOverflowThreadKeepsNothingOfItsBodyOnceEnded() throws Exception {
        java.util.Optional<java.util.concurrent.ThreadFactory> virtual = VirtualThreads.factory("plain-virtual-");
        org.junit.jupiter.api.Assumptions.assumeTrue(virtual.isPresent(), "virtual threads need JDK 21+");
        Runnable body = new Runnable() {
            @Override
            public void run() {
            }
        };
        WeakReference<Runnable> weak = new WeakReference<>(body);
        // As WorkerPool starts an overflow worker.
        Thread thread = virtual.get().newThread(PlainThreads.droppedOnceRun(body));
        body = null;
        thread.start();
        thread.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(thread.isAlive());
        for (int i = 0; i < 50 && weak.get() != null; i++) {
            System.gc();
        }
        assertNull(weak.get(), "a dead virtual thread keeps its body");
        Reference.reachabilityFence(thread);
    }
}
