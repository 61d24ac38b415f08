package task.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Priority;
import task.api.Task;
import task.api.TaskService;
import task.impl.TaskRuntime;
import task.impl.TestSupport;

/**
 * A task's priority ({@code g_task_set_priority}), tested as GLib's
 * gio/tests/task.c tests it: each method is named after its GLib test.
 * Completions pending on a context are delivered by priority, and workers
 * waiting for a thread of a full pool start by priority; FIFO within a
 * priority. Order is forced by a test-driven context that is not iterated
 * and by a pool of one thread held by a latch, never by time.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class GTaskPriorityTest {
    private TaskRuntime runtime;
    /** What ran, in order. */
    private final List<String> order = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private Task<String, Void> task(TaskService tasks, EventContext context, String name, int priority) {
        return tasks.builder(name, (Task<String, Void> t) -> order.add(t.source())).context(context)
                .priority(priority).create();
    }

    /**
     * GLib's test_priority: three tasks return (GTask's return semantics,
     * {@code completeLater}) while their context is not running; the
     * callbacks then run highest priority first.
     */
    @Test
    void test_priority() {
        runtime = TestSupport.runtime(false, 2);
        EventContext loop = runtime.contexts().create("loop");
        TaskService tasks = runtime.tasks();
        Task<String, Void> idle = task(tasks, loop, "default-idle", Priority.DEFAULT_IDLE);
        Task<String, Void> normal = task(tasks, loop, "default", Priority.DEFAULT);
        Task<String, Void> high = task(tasks, loop, "high", Priority.HIGH);
        assertEquals(Priority.DEFAULT_IDLE, idle.priority(), "g_task_get_priority");
        assertEquals(Priority.DEFAULT, normal.priority());
        idle.completeLater();
        normal.completeLater();
        high.completeLater();
        while (order.size() < 3) {
            loop.iterate(true);
        }
        assertEquals(List.of("high", "default", "default-idle"), order);
        assertTrue(runtime.inspector().inFlight().isEmpty());
    }

    /** A task built without a priority has GLib's default. */
    @Test
    void test_priority_default() {
        runtime = TestSupport.runtime(false, 2);
        Task<String, Void> task = runtime.tasks().create("plain", t -> { }, null);
        assertEquals(Priority.DEFAULT, task.priority());
        task.dispose();
    }

    /**
     * GLib's test_run_in_thread_priority: with every thread of the pool
     * busy, tasks queued with different priorities start in priority order,
     * and in queueing order within one priority.
     */
    @Test
    void test_run_in_thread_priority() {
        runtime = TestSupport.strictPool(false);
        EventContext ui = runtime.contexts().start("ui");
        TaskService tasks = runtime.tasks();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(6);
        Task<String, Void> blocker = tasks.builder("blocker", (Task<String, Void> t) -> done.countDown())
                .context(ui).create();
        blocker.runInThread(t -> {
            held.countDown();
            TestSupport.await(release);
        }, null, ui);
        TestSupport.await(held);
        int[] priorities = {Priority.LOW, Priority.DEFAULT, Priority.HIGH, Priority.DEFAULT_IDLE, Priority.HIGH};
        String[] names = {"low", "default", "high-1", "default-idle", "high-2"};
        for (int i = 0; i < priorities.length; i++) {
            Task<String, Void> task = tasks.builder(names[i], (Task<String, Void> t) -> done.countDown())
                    .context(ui).priority(priorities[i]).create();
            task.runInThread(t -> order.add(t.source()), null, ui);
        }
        release.countDown();
        TestSupport.await(done);
        assertEquals(List.of("high-1", "high-2", "default", "default-idle", "low"), order);
    }
}
