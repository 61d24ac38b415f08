package task.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import task.api.TaskWorker;

/**
 * The timed runs' wrappers ({@link TimedWorker}): each carries its worker
 * and its time until unwrapped; they are reused rather than made per timed
 * run; a wrapper given back keeps nothing of its worker. Allocation is read
 * from the JVM's per-thread counter on this one thread, where wrapping and
 * unwrapping both happen; it does not depend on speed.
 */
class TimedWorkerTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void aWrapperCarriesItsWorkerAndTimeUntilUnwrapped() {
        TaskWorker<Object, Object> worker = t -> { };
        TimedWorker<Object, Object> timed = TimedWorker.wrap(worker, 42);
        assertSame(worker, timed.worker);
        assertEquals(42, timed.queuedAtNanos);
        timed.unwrapped();
        assertNull(timed.worker);
    }

    @Test
    void timedRunsReuseTheirWrappersInsteadOfMakingOneEach() {
        TaskWorker<Object, Object> worker = t -> { };
        for (int i = 0; i < 1_000; i++) { // warm up: the pool and the JIT
            TimedWorker.wrap(worker, i).unwrapped();
        }
        int runs = 1_000;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < runs; i++) {
            TimedWorker.wrap(worker, i).unwrapped();
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        // One wrapper per timed run would be at least 24 bytes each.
        assertTrue(allocated < runs * 24L / 4, "allocated " + allocated + " bytes for " + runs + " timed runs");
    }

    @Test
    void aWrapperGivenBackKeepsNothingOfItsWorker() {
        TaskWorker<Object, Object> worker = new TaskWorker<>() {
            @Override
            public void run(task.api.Task<Object, Object> task) {
            }
        };
        WeakReference<TaskWorker<Object, Object>> weak = new WeakReference<>(worker);
        // Holds as many as the pool keeps, so that it has room for the one
        // given back below (a full pool would drop it, and prove nothing).
        List<TimedWorker<Object, Object>> held = new ArrayList<>();
        for (int i = 0; i < TimedWorker.POOLED; i++) {
            held.add(TimedWorker.wrap(t -> { }, i));
        }
        TimedWorker.wrap(worker, 0).unwrapped();
        worker = null;
        for (int i = 0; i < 50 && weak.get() != null; i++) {
            System.gc();
        }
        assertNull(weak.get(), "the free wrapper still references the worker it wrapped");
        held.forEach(TimedWorker::unwrapped);
    }
}
