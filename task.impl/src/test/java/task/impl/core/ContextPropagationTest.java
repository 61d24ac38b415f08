package task.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;
import task.api.spi.ContextPropagator;
import task.impl.TaskRuntime;
import task.impl.TestSupport;

/** ContextPropagator: captured at creation, entered around the worker and the callback, restored after. */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class ContextPropagationTest {
    /** The context to carry: a request id, as an MDC entry would be. */
    private static final ThreadLocal<String> REQUEST = new ThreadLocal<>();

    /** Carries REQUEST, and records every enter and close. */
    private static final class RequestPropagator implements ContextPropagator {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public Captured capture() {
            String request = REQUEST.get();
            return request == null ? null : () -> {
                String before = REQUEST.get();
                REQUEST.set(request);
                events.add("enter " + request + " on " + Thread.currentThread().getName());
                return () -> {
                    REQUEST.set(before);
                    events.add("close " + request);
                };
            };
        }
    }

    private TaskRuntime runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
        REQUEST.remove();
    }

    @Test
    void theWorkerAndTheCallbackSeeTheCreatorsContextAndTheirThreadsGetTheirsBack() throws Exception {
        RequestPropagator propagator = new RequestPropagator();
        runtime = TaskRuntime.builder().virtualThreads(false).contextPropagator(propagator).start();
        EventContext ui = runtime.contexts().start("ui");
        CompletableFuture<String> seen = new CompletableFuture<>();
        REQUEST.set("r-42");
        Task<String, String> task = runtime.tasks().<String, String>builder("audit", done -> {
            seen.complete(done.result() + ", callback sees " + REQUEST.get());
        }).context(ui).create();
        REQUEST.remove(); // what the creator does next does not matter: the context was captured
        task.runInThread(running -> running.setResult("worker sees " + REQUEST.get()), null, ui);
        assertEquals("worker sees r-42, callback sees r-42", TestSupport.get(seen));
        TestSupport.spinUntil(() -> propagator.events.size() == 4);
        assertEquals("close r-42", propagator.events.get(1));
        assertEquals("close r-42", propagator.events.get(3));
        assertEquals("enter r-42 on ui", propagator.events.get(2));
        // The context's thread has its own context back.
        assertNull(TestSupport.get(CompletableFuture.supplyAsync(REQUEST::get, ui)));
    }

    @Test
    void aFutureCarriesItToo() throws Exception {
        runtime = TaskRuntime.builder().contextPropagator(new RequestPropagator()).start();
        REQUEST.set("r-7");
        assertEquals("r-7", TestSupport.get(runtime.tasks().supply("lookup", REQUEST::get, null)));
    }

    @Test
    void noContextNoCapture() throws Exception {
        RequestPropagator propagator = new RequestPropagator();
        runtime = TaskRuntime.builder().contextPropagator(propagator).start();
        assertNull(TestSupport.get(runtime.tasks().supply("plain", REQUEST::get, null)));
        assertEquals(List.of(), propagator.events);
    }

    @Test
    void aPropagatorThatThrowsIsReportedAndTheTaskRunsWithout() throws Exception {
        ContextPropagator broken = () -> {
            throw new IllegalStateException("broken propagator");
        };
        ContextPropagator brokenEnter = () -> () -> {
            throw new IllegalStateException("broken enter");
        };
        runtime = TaskRuntime.builder().contextPropagator(broken).contextPropagator(brokenEnter)
                .contextPropagator(new RequestPropagator()).start();
        REQUEST.set("r-9");
        assertEquals("r-9", TestSupport.get(runtime.tasks().supply("survives", REQUEST::get, null)));
    }
}
