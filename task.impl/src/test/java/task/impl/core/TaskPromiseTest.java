package task.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.PromiseFactory;

import task.api.EventContext;
import task.api.TaskFuture;
import task.impl.TaskRuntime;
import task.impl.TestSupport;

/**
 * OSGi Promises both ways, with nothing of the Promise API in ours: a
 * TaskFuture is a CompletionStage, which {@code PromiseFactory.resolvedWith}
 * turns into a Promise (its callbacks on the task's context with a factory
 * whose callback executor is the context and that always uses it), and a Promise's {@code toCompletionStage()} is adopted.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class TaskPromiseTest {
    private final TaskRuntime runtime = TestSupport.runtime(false, 4);

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void aTaskFutureAsAPromiseWhoseCallbacksRunOnTheContext() throws Exception {
        EventContext ui = runtime.contexts().start("ui");
        TaskFuture<String> future = runtime.tasks().supply("lookup", () -> "127.0.0.1", ui);
        // CALLBACKS_EXECUTOR_THREAD: also the callbacks of a promise already resolved go to the context
        Promise<String> promise = new PromiseFactory(future.context(), null,
                PromiseFactory.Option.CALLBACKS_EXECUTOR_THREAD).resolvedWith(future);
        CompletableFuture<String> where = new CompletableFuture<>();
        promise.onSuccess(value -> where.complete(value + " on " + Thread.currentThread().getName()));
        assertEquals("127.0.0.1 on ui", TestSupport.get(where));
        assertEquals("127.0.0.1", promise.getValue());
    }

    @Test
    void aPromiseBecomesATaskDeliveredOnTheContext() throws Exception {
        EventContext ui = runtime.contexts().start("ui");
        Deferred<String> deferred = new PromiseFactory(PromiseFactory.inlineExecutor()).deferred();
        TaskFuture<String> adopted = runtime.tasks().adopt("remote call", deferred.getPromise().toCompletionStage(),
                null, ui);
        assertTrue(runtime.inspector().inFlight().stream().anyMatch(info -> info.name().equals("remote call")));
        CompletableFuture<String> where = adopted.toCompletableFuture()
                .thenApply(value -> value + " on " + Thread.currentThread().getName());
        deferred.resolve("reply");
        assertEquals("reply on ui", TestSupport.get(where));
    }
}
