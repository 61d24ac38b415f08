package task.impl.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.Task;
import task.impl.TaskRuntime;

/**
 * The runtime's own threads (a context's thread, a platform worker) are
 * plain {@code java.lang.Thread}s, not subclasses of ours: a dead thread
 * that something keeps (Felix 7.0.5's class loaders can keep one for good)
 * then keeps no class of the runtime, and so not its class loader. The
 * per-thread state those subclasses carried still works: a managed wait in
 * a platform worker finds its worker (and so its pool).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS) // hang guard only
class PlainThreadsTest {
    @Test
    void theContextsThreadAndThePlatformWorkersAreJavaLangThreads() throws Exception {
        try (TaskRuntime runtime = TaskRuntime.builder().name("plain").virtualThreads(false).maxPlatformThreads(1)
                .start()) {
            CompletableFuture<Class<?>> workerThread = new CompletableFuture<>();
            CompletableFuture<Boolean> managed = new CompletableFuture<>();
            CompletableFuture<Class<?>> contextThread = new CompletableFuture<>();
            Task<Object, Void> task = runtime.tasks().create(this, t -> contextThread.complete(
                    Thread.currentThread().getClass()), null);
            task.runInThread(t -> {
                workerThread.complete(Thread.currentThread().getClass());
                // A managed wait: the pool must find this thread's worker.
                boolean begun = ManagedBlocking.begin();
                ManagedBlocking.end(begun);
                managed.complete(begun);
            }, null, runtime.defaultContext());
            assertEquals(Thread.class, workerThread.get(10, TimeUnit.SECONDS));
            assertTrue(managed.get(10, TimeUnit.SECONDS), "a managed wait in a platform worker reached its pool");
            assertEquals(Thread.class, contextThread.get(10, TimeUnit.SECONDS));
        }
    }
}
