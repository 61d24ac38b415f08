package task.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskState;
import task.impl.TaskRuntime;
import task.impl.TestSupport;

/** QEMU's tests/unit/test-io-task.c, ported by name. */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class UpstreamTaskTest {
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

    /** A source object, like upstream's dummy QOM object. */
    private static final class Source {
        @Override
        public String toString() {
            return "dummy-source";
        }
    }

    @BothRunners
    void complete(boolean virtualThreads) {
        start(virtualThreads);
        Source source = new Source();
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Object> seenSource = new AtomicReference<>();
        AtomicReference<Throwable> seenError = new AtomicReference<>(new Throwable("callback never ran"));

        Task<Source, Void> task = runtime.tasks().create(source, t -> {
            calls.incrementAndGet();
            seenSource.set(t.source());
            seenError.set(t.propagateError());
        }, null);
        task.complete();

        assertEquals(1, calls.get());
        assertSame(source, seenSource.get());
        assertNull(seenError.get());
        assertEquals(TaskState.FINISHED, task.state());
        assertTrue(runtime.inspector().find(task.id()).isEmpty());
    }

    @BothRunners
    void datafree(boolean virtualThreads) {
        start(virtualThreads);
        AtomicInteger freed = new AtomicInteger();
        AtomicInteger freedDuringCallback = new AtomicInteger(-1);
        Task<Source, Void> task = runtime.tasks().create(new Source(),
                t -> freedDuringCallback.set(freed.get()), freed::incrementAndGet);

        task.complete();

        assertEquals(0, freedDuringCallback.get(), "the data is freed after the callback");
        assertEquals(1, freed.get(), "the data is freed by the time complete() returns");
    }

    @BothRunners
    void failure(boolean virtualThreads) {
        start(virtualThreads);
        IOException error = new IOException("Testing failure");
        AtomicReference<Throwable> seenError = new AtomicReference<>();
        Task<Source, Void> task = runtime.tasks().create(new Source(), t -> seenError.set(t.propagateError()), null);

        task.setError(error);
        task.complete();

        assertSame(error, seenError.get());
    }

    @BothRunners
    void thread_complete(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("thread_complete");
        Source source = new Source();
        AtomicReference<Thread> workerThread = new AtomicReference<>();
        AtomicBoolean workerInContext = new AtomicBoolean(true);
        AtomicReference<Thread> callbackThread = new AtomicReference<>();
        AtomicBoolean callbackInContext = new AtomicBoolean();
        AtomicReference<Throwable> seenError = new AtomicReference<>(new Throwable("callback never ran"));
        AtomicReference<Object> seenSource = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();

        Task<Source, Void> task = runtime.tasks().create(source, t -> {
            calls.incrementAndGet();
            callbackThread.set(Thread.currentThread());
            callbackInContext.set(context.inContext());
            seenSource.set(t.source());
            seenError.set(t.propagateError());
        }, null);
        task.runInThread(t -> {
            workerThread.set(Thread.currentThread());
            workerInContext.set(context.inContext());
        }, null, context);
        TestSupport.driveUntil(context, () -> calls.get() > 0);

        assertNotNull(workerThread.get());
        assertNotSame(Thread.currentThread(), workerThread.get(), "the worker runs off the context thread");
        assertFalse(workerInContext.get());
        assertSame(Thread.currentThread(), callbackThread.get(), "the callback runs on the context thread");
        assertTrue(callbackInContext.get());
        assertSame(source, seenSource.get());
        assertNull(seenError.get());
        assertEquals(1, calls.get());
        assertEquals(TaskState.FINISHED, task.state());
    }

    @BothRunners
    void thread_failure(boolean virtualThreads) {
        start(virtualThreads);
        EventContext context = runtime.contexts().create("thread_failure");
        IOException error = new IOException("Testing failure");
        AtomicReference<Thread> workerThread = new AtomicReference<>();
        AtomicReference<Thread> callbackThread = new AtomicReference<>();
        AtomicBoolean callbackInContext = new AtomicBoolean();
        AtomicReference<Throwable> seenError = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();

        Task<Source, Void> task = runtime.tasks().create(new Source(), t -> {
            calls.incrementAndGet();
            callbackThread.set(Thread.currentThread());
            callbackInContext.set(context.inContext());
            seenError.set(t.propagateError());
        }, null);
        task.runInThread(t -> {
            workerThread.set(Thread.currentThread());
            t.setError(error);
        }, null, context);
        TestSupport.driveUntil(context, () -> calls.get() > 0);

        assertNotSame(Thread.currentThread(), workerThread.get());
        assertSame(Thread.currentThread(), callbackThread.get());
        assertTrue(callbackInContext.get());
        assertSame(error, seenError.get());
        assertEquals(1, calls.get());
    }

    @BothRunners
    void cancel(boolean virtualThreads) {
        start(virtualThreads);
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger freed = new AtomicInteger();
        Task<Source, Void> task = runtime.tasks().create(new Source(), t -> calls.incrementAndGet(),
                freed::incrementAndGet);

        assertTrue(task.dispose());

        assertEquals(0, calls.get(), "a freed task never runs its callback");
        assertEquals(1, freed.get(), "its cleanup still runs");
        assertEquals(TaskState.FINISHED, task.state());
        assertFalse(task.dispose());
        task.complete(); // tolerated on a disposed task: does nothing
        TestSupport.flush(runtime.defaultContext(), false);
        assertEquals(0, calls.get());
        assertEquals(1, freed.get());
    }
}
