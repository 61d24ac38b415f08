package task.impl.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.Task;
import task.api.metrics.TaskCounts;
import task.api.metrics.TaskStats;
import task.impl.TaskRuntime;

/**
 * The counters and histograms behind {@code TaskInspector.stats()}: many
 * tasks of each outcome, counted once each, per owner and per operation.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // hang guard only
class TaskMetricsTest {
    private static final int EACH = 200;

    /** The callback: takes the error (so that none is reported), then counts down. */
    private static void taken(Task<String, String> task, CountDownLatch callbacks) {
        try {
            task.propagateError();
        } catch (Exception expected) {
            // the failing and the cancelled tasks' errors
        }
        callbacks.countDown();
    }

    /**
     * Runs EACH tasks of every outcome; returns once every callback has run
     * and every disposal is done.
     *
     * @return how many worker runs there were (one per succeeded and per failed task)
     */
    private static long runAllOutcomes(TaskRuntime runtime, String operation) throws InterruptedException {
        CountDownLatch callbacks = new CountDownLatch(3 * EACH);
        long runs = 2L * EACH;
        for (int i = 0; i < EACH; i++) {
            Task<String, String> ok = runtime.tasks().builder("ok", (Task<String, String> t) -> taken(t, callbacks))
                    .sourceTag(operation).create();
            ok.runInThread(t -> t.setResult("value"));
            Task<String, String> failing = runtime.tasks()
                    .builder("failing", (Task<String, String> t) -> taken(t, callbacks)).sourceTag(operation)
                    .create();
            failing.runInThread(t -> {
                throw new IllegalStateException("expected by the test");
            });
            Task<String, String> cancelled = runtime.tasks()
                    .builder("cancelled", (Task<String, String> t) -> taken(t, callbacks)).sourceTag(operation)
                    .create();
            cancelled.cancel(false, "by the test");
            cancelled.complete();
            Task<String, String> disposed = runtime.tasks()
                    .builder("disposed", (Task<String, String> t) -> taken(t, callbacks)).sourceTag(operation)
                    .create();
            assertTrue(disposed.dispose());
        }
        assertTrue(callbacks.await(30, TimeUnit.SECONDS), "callbacks ran");
        return runs;
    }

    private static void assertAllOutcomes(TaskCounts counts, long runs) {
        assertEquals(4 * EACH, counts.started(), counts.toString());
        assertEquals(EACH, counts.succeeded(), counts.toString());
        assertEquals(EACH, counts.failed(), counts.toString());
        assertEquals(EACH, counts.cancelled(), counts.toString());
        assertEquals(EACH, counts.disposed(), counts.toString());
        assertEquals(0, counts.inFlight(), counts.toString());
        // one worker run in TIMED_ONE_IN is timed, at random: of 400, none with a chance of 6e-12
        long timed = counts.runTime().count();
        assertTrue(timed > 0 && timed < runs, "some runs timed, not all: " + timed + " of " + runs);
        assertEquals(timed, counts.queueTime().count(), counts.toString());
        assertTrue(counts.runTime().medianNanos() <= counts.runTime().p99Nanos());
        assertTrue(counts.runTime().p99Nanos() <= counts.runTime().maxNanos());
    }

    @Test
    void eachTaskIsCountedStartedAndInExactlyOneOutcomePerOwnerAndOperation() throws Exception {
        try (TaskRuntime runtime = TaskRuntime.builder().name("metrics-owner").start()) {
            long runs = runAllOutcomes(runtime, "metrics-op");
            TaskStats stats = runtime.inspector().stats();
            TaskCounts owner = stats.owners().stream().filter(c -> c.name().equals("metrics-owner")).findFirst()
                    .orElseThrow();
            assertAllOutcomes(owner, runs);
            assertEquals(1, stats.operations().size(), stats.operations().toString());
            TaskCounts operation = stats.operations().get(0);
            assertEquals("metrics-op", operation.name());
            assertAllOutcomes(operation, runs);
            // the platform threads that ran the jobs park: they stay counted (virtual ones only while they run a job)
            assertTrue(stats.runner().threads() >= 1, stats.runner().toString());
            assertTrue(stats.contexts().stream().anyMatch(c -> c.name().equals("task-default-context")),
                    stats.contexts().toString());
        }
    }

    @Test
    void theMBeansShowTheCountsAndLeaveWithTheRuntime() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName owner;
        ObjectName runner;
        try (TaskRuntime runtime = TaskRuntime.builder().name("jmx owner, quoted").start()) {
            long runs = runAllOutcomes(runtime, "jmx-op");
            owner = single(server, "task.runtime:type=Owner,name=" + ObjectName.quote("jmx owner, quoted") + ",*");
            runner = single(server, "task.runtime:type=Runner,runtime=" + owner.getKeyProperty("runtime"));
            assertEquals(4L * EACH, server.getAttribute(owner, "Started"));
            assertEquals((long) EACH, server.getAttribute(owner, "Succeeded"));
            assertEquals((long) EACH, server.getAttribute(owner, "Failed"));
            assertEquals((long) EACH, server.getAttribute(owner, "Cancelled"));
            assertEquals((long) EACH, server.getAttribute(owner, "Disposed"));
            assertEquals(0L, server.getAttribute(owner, "InFlight"));
            long sampled = (Long) server.getAttribute(owner, "WorkerRuns");
            assertTrue(sampled > 0 && sampled < runs, "timed runs: " + sampled);
            ObjectName operation = single(server, "task.runtime:type=Operation,runtime="
                    + owner.getKeyProperty("runtime") + ",name=" + ObjectName.quote("jmx-op"));
            assertEquals(4L * EACH, server.getAttribute(operation, "Started"));
            assertTrue((Boolean) server.getAttribute(runner, "VirtualThreads")
                    || (Integer) server.getAttribute(runner, "Threads") >= 1);
        }
        assertTrue(!server.isRegistered(owner), "unregistered on close");
        assertTrue(!server.isRegistered(runner), "unregistered on close");
    }

    @Test
    void aRuntimeTakesTheNextNumberWhileARunnerBeanOfAnotherCopyHasItAndListsItsContexts() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        List<ObjectName> squatted = new ArrayList<>();
        try (TaskRuntime first = TaskRuntime.builder().name("numbered").start()) {
            int n = Integer.parseInt(single(server, "task.runtime:type=Owner,name=" + ObjectName.quote("numbered")
                    + ",*").getKeyProperty("runtime"));
            // What another class loader's copy of task.impl would have registered: the next two numbers.
            for (int taken = n + 1; taken <= n + 2; taken++) {
                ObjectName name = new ObjectName("task.runtime:type=Runner,runtime=" + taken);
                server.registerMBean(new javax.management.timer.Timer(), name);
                squatted.add(name);
            }
            try (TaskRuntime second = TaskRuntime.builder().name("renumbered").start()) {
                ObjectName contexts = single(server, "task.runtime:type=Contexts,runtime=" + (n + 3));
                single(server, "task.runtime:type=Runner,runtime=" + (n + 3));
                CompositeData[] rows = (CompositeData[]) server.getAttribute(contexts, "Contexts");
                assertEquals(List.of("task-default-context"),
                        Arrays.stream(rows).map(row -> row.get("name")).toList());
            }
        } finally {
            for (ObjectName name : squatted) {
                server.unregisterMBean(name);
            }
        }
    }

    private static ObjectName single(MBeanServer server, String pattern)
            throws Exception {
        Set<ObjectName> names = server.queryNames(new ObjectName(pattern), null);
        assertEquals(1, names.size(), pattern + ": " + names);
        return names.iterator().next();
    }

    @Test
    void offTheTasksRecordNothing() throws Exception {
        try (TaskRuntime runtime = TaskRuntime.builder().name("metrics-off").metrics(false).start()) {
            runAllOutcomes(runtime, "metrics-op");
            TaskStats stats = runtime.inspector().stats();
            assertEquals(0, stats.owners().size(), stats.owners().toString());
            assertEquals(0, stats.operations().size(), stats.operations().toString());
        }
    }
}
