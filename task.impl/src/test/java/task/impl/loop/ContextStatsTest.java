package task.impl.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.metrics.ContextStats;

/**
 * A context's statistics as {@link LoopDirectory#stats()} gives them: the
 * lag from post to run and the busy time, of an event loop (own thread and
 * caller-driven) and of an adopted executor. Durations are checked against
 * bounds the test itself makes: an event posted while the loop is held for
 * at least {@link #HOLD} waits at least that long; an event that runs for
 * at least {@code HOLD} by the clock adds at least that much busy time; no
 * context is busier than the time it had. None of it depends on speed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS) // hang guard only
class ContextStatsTest {
    private static final long HOLD = TimeUnit.MILLISECONDS.toNanos(5);
    private final RecordingReporter reporter = new RecordingReporter();
    private final LoopDirectory directory = new LoopDirectory(Duration.ZERO);
    private final LoopFactory factory = new LoopFactory(reporter, directory, EventLoop.DEFAULT_CLOSE_GRACE);
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() throws InterruptedException {
        factory.closeAll();
        directory.close();
        executor.shutdown();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(java.util.List.of(), reporter.warnings);
    }

    @Test
    void aFreshContextHasNoLagAndNoBusyTime() {
        EventContext context = factory.start("fresh");
        ContextStats stats = stats("fresh");
        assertEquals(0, stats.pending());
        assertEquals(0, stats.lag().count());
        assertEquals(0, stats.busyNanos());
        assertTrue(!context.isClosed());
    }

    @Test
    void eventsPostedWhileTheLoopIsHeldShowThatWaitInTheirLag() throws Exception {
        EventContext context = factory.start("held");
        int events = 2_000;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ran = new CountDownLatch(events);
        CountDownLatch holding = new CountDownLatch(1);
        context.post(() -> {
            holding.countDown();
            await(release);
        });
        assertTrue(holding.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < events; i++) {
            context.post(ran::countDown);
        }
        assertEquals(events, stats("held").pending(), "every event waits behind the held one");
        spinFor(HOLD); // every event now has waited HOLD at least
        release.countDown();
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        ContextStats stats = stats("held");
        // Sampled: about one post in 16; none at all in 2,001 has odds of (15/16)^2001, under 1e-56.
        assertTrue(stats.lag().count() > 0 && stats.lag().count() <= events + 1, stats.toString());
        // The held event's own lag may be short; every other one waited HOLD at least.
        assertTrue(stats.lag().maxNanos() >= HOLD, stats.toString());
        assertTrue(stats.lag().count() < 3 || stats.lag().medianNanos() >= HOLD, stats.toString());
    }

    @Test
    void anEventThatRunsForAWhileIsCountedAsBusyTimeAndNeverMoreThanTheLoopHad() throws Exception {
        long created = System.nanoTime();
        EventContext context = factory.start("busy");
        CountDownLatch ran = new CountDownLatch(1);
        context.post(() -> {
            spinFor(HOLD);
            ran.countDown();
        });
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        awaitBusyAtLeast("busy", HOLD); // the iteration's time is added as it ends, just after the countDown
        long busy = stats("busy").busyNanos();
        assertTrue(busy <= System.nanoTime() - created, busy + " ns busy exceeds the context's age");
    }

    @Test
    void aCallerDrivenContextIsBusyOnlyWhileItsCallerIteratesAndANestedIterationCountsOnce() {
        EventContext context = factory.create("driven");
        context.post(() -> {
            spinFor(HOLD);
            context.post(() -> spinFor(HOLD));
            context.iterate(false); // nested: runs the inner event inside this one's dispatch
        });
        assertEquals(0, stats("driven").busyNanos(), "nothing ran yet");
        long before = System.nanoTime();
        assertTrue(context.iterate(false));
        long elapsed = System.nanoTime() - before;
        long busy = stats("driven").busyNanos();
        assertTrue(busy >= 2 * HOLD, busy + " ns");
        assertTrue(busy <= elapsed, busy + " ns busy in an iterate call of " + elapsed + " ns: counted twice");
    }

    @Test
    void anAdoptedExecutorIsListedWithItsPendingRunnablesLagAndBusyTime() throws Exception {
        EventContext context = factory.adopt("adopted", executor);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch heldStarted = new CountDownLatch(1);
        int events = 2_000;
        CountDownLatch ran = new CountDownLatch(events);
        context.post(() -> {
            heldStarted.countDown();
            await(release);
        });
        for (int i = 0; i < events; i++) {
            context.post(ran::countDown);
        }
        // Held from before the spin until after it, whenever the executor's thread got to it.
        assertTrue(heldStarted.await(10, TimeUnit.SECONDS));
        assertEquals(events + 1, stats("adopted").pending(), "handed and not yet run, the running one included");
        spinFor(HOLD);
        release.countDown();
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        AtomicReference<ContextStats> seen = new AtomicReference<>();
        CountDownLatch read = new CountDownLatch(1);
        executor.execute(() -> { // after every handed runnable: the executor is FIFO and single-threaded
            seen.set(stats("adopted"));
            read.countDown();
        });
        assertTrue(read.await(10, TimeUnit.SECONDS));
        ContextStats stats = seen.get();
        assertEquals(0, stats.pending(), stats.toString());
        assertTrue(stats.busyNanos() >= HOLD, stats.toString()); // the held runnable ran HOLD at least
        assertTrue(stats.lag().count() > 0 && stats.lag().maxNanos() >= HOLD, stats.toString());
    }

    private ContextStats stats(String name) {
        return directory.stats().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no statistics for '" + name + "' in " + directory.stats()));
    }

    private void awaitBusyAtLeast(String name, long nanos) {
        long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // a hang guard, not a speed limit
        while (stats(name).busyNanos() < nanos) {
            assertTrue(System.nanoTime() - guard < 0, "busy time never reached " + nanos + " ns: " + stats(name));
            Thread.onSpinWait();
        }
    }

    /** Runs for at least {@code nanos} by the clock, without giving up the processor. */
    private static void spinFor(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
