package task.impl.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import task.impl.metrics.TaskMetrics;

/**
 * The sampled posts' wrappers of a {@link ContextMeter}: each unwraps to
 * the event it wrapped, with its lag recorded; they are reused rather
 * than made per sampled post; a wrapper given back keeps nothing of its
 * event. Allocation is read from the JVM's per-thread counter on this one
 * thread, where wrapping and unwrapping both happen; it does not depend on
 * speed.
 */
class ContextMeterTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final ContextMeter meter = new ContextMeter();

    @Test
    void aSampledPostUnwrapsToItsEventWithItsLagRecorded() {
        Runnable event = () -> { };
        Runnable queued = sampledPost(event);
        assertNotSame(event, queued);
        assertSame(event, ContextMeter.arrived(queued));
        assertEquals(1, meter.stats("meter", 0).lag().count());
        assertSame(event, ContextMeter.arrived(event), "an event posted unsampled is queued as itself");
    }

    @Test
    void sampledPostsReuseTheirWrappersInsteadOfMakingOneEach() {
        Runnable event = () -> { };
        for (int i = 0; i < 1_000; i++) { // warm up: the pool, the histogram, the JIT
            ContextMeter.arrived(sampledPost(event));
        }
        int posts = 1_000;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < posts; i++) {
            ContextMeter.arrived(sampledPost(event));
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        // One wrapper per sampled post would be at least 24 bytes each.
        assertTrue(allocated < posts * 24L / 4, "allocated " + allocated + " bytes for " + posts + " sampled posts");
    }

    @Test
    void aWrapperGivenBackKeepsNothingOfItsEvent() {
        Runnable event = new Runnable() {
            @Override
            public void run() {
            }
        };
        WeakReference<Runnable> weak = new WeakReference<>(event);
        // Holds as many as the pool keeps, so that it has room for the one
        // given back below (a full pool would drop it, and prove nothing).
        Runnable other = () -> { };
        List<Runnable> held = new ArrayList<>();
        for (int i = 0; i < ContextMeter.POOLED; i++) {
            held.add(sampledPost(other));
        }
        ContextMeter.arrived(sampledPost(event));
        event = null;
        for (int i = 0; i < 50 && weak.get() != null; i++) {
            System.gc();
        }
        assertNull(weak.get(), "the free wrapper still references the event it wrapped");
        held.forEach(ContextMeter::arrived);
    }

    /** Posts until the meter samples one ({@value TaskMetrics#TIMED_ONE_IN} draws on average). */
    private Runnable sampledPost(Runnable event) {
        Runnable queued;
        do {
            queued = meter.sampled(event);
        } while (queued == event);
        return queued;
    }
}
