package task.impl.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.EventSource;
import task.api.Priority;
import task.impl.TestSupport;

/**
 * A context's priorities ({@link EventContext#post(Runnable, int)}, GLib's
 * source priorities): of the pending events, a higher priority runs first,
 * FIFO within one, on a caller-driven loop, on a loop's own thread (held by
 * a latch while the events are posted) and on an adopted executor (a queue
 * the test runs by hand), where only what the context holds is ordered.
 * Ordering by latches and FIFO, never by time.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class PriorityPostTest {
    private final RecordingReporter reporter = new RecordingReporter();
    private final LoopDirectory directory = new LoopDirectory(Duration.ZERO);
    private final LoopFactory factory = new LoopFactory(reporter, directory, EventLoop.DEFAULT_CLOSE_GRACE);
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<String> ran = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        factory.closeAll();
        directory.close();
    }

    private Runnable record(String name) {
        return () -> ran.add(name);
    }

    /** Posts a mix whose order by priority differs from the order of posting both ways. */
    private void postMix(EventContext context) {
        context.post(record("default-1"));
        context.post(record("low-1"), Priority.LOW);
        context.post(record("high-1"), Priority.HIGH);
        context.post(record("default-2"), Priority.DEFAULT);
        context.post(record("default-idle"), Priority.DEFAULT_IDLE);
        context.post(record("high-2"), Priority.HIGH);
        context.execute(record("default-3"));
        context.post(record("low-2"), Priority.LOW);
        context.post(record("highest"), Integer.MIN_VALUE);
        context.post(record("lowest"), Integer.MAX_VALUE);
        context.post(record("high-idle"), Priority.HIGH_IDLE);
    }

    private static final List<String> MIX_ORDER = List.of("highest", "high-1", "high-2", "default-1", "default-2",
            "default-3", "high-idle", "default-idle", "low-1", "low-2", "lowest");

    @Test
    void aCallerDrivenLoopRunsPendingEventsByPriorityThenInPostingOrder() {
        EventLoop loop = EventLoop.driven("prio-driven", reporter);
        toClose.add(loop);
        postMix(loop);
        assertTrue(loop.status().contains("11 pending"), loop.status());
        assertTrue(loop.iterate(false));
        assertEquals(MIX_ORDER, ran);
        assertFalse(loop.iterate(false), "nothing left");
    }

    @Test
    void aLoopsOwnThreadRunsWhatWaitedByPriority() {
        EventLoop loop = EventLoop.started("prio-own", reporter, true, EventLoop.DEFAULT_CLOSE_GRACE);
        toClose.add(loop);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.post(() -> {
            held.countDown();
            TestSupport.await(release);
        });
        TestSupport.await(held); // the loop's thread is inside the first event: the rest wait together
        postMix(loop);
        CountDownLatch done = new CountDownLatch(1);
        loop.post(done::countDown, Integer.MAX_VALUE); // after "lowest", which was posted first
        release.countDown();
        TestSupport.await(done);
        assertEquals(MIX_ORDER, ran);
        assertEquals(List.of(), reporter.warnings);
    }

    @Test
    void aHigherEventPostedDuringABatchRunsBeforeTheRestOfIt() {
        EventLoop loop = EventLoop.driven("prio-batch", reporter);
        toClose.add(loop);
        loop.post(() -> {
            ran.add("default-1");
            loop.post(record("high, posted by default-1"), Priority.HIGH);
            loop.post(record("low, posted by default-1"), Priority.LOW);
        });
        loop.post(record("default-2"));
        loop.post(() -> {
            ran.add("default-3");
            loop.post(record("default-4, posted by default-3"));
        });
        TestSupport.driveUntil(loop, () -> ran.size() == 6);
        assertEquals(List.of("default-1", "high, posted by default-1", "default-2", "default-3",
                "default-4, posted by default-3", "low, posted by default-1"), ran,
                "a low event waits while default ones are pending, even ones posted after it");
    }

    @Test
    void aCancelledPrioritizedEventNeverRuns() {
        EventLoop loop = EventLoop.driven("prio-cancel", reporter);
        toClose.add(loop);
        EventSource cancelled = loop.post(record("cancelled"), Priority.HIGH);
        loop.post(record("kept"), Priority.LOW);
        assertTrue(cancelled.cancel());
        assertFalse(cancelled.isActive());
        assertTrue(loop.iterate(false));
        assertEquals(List.of("kept"), ran);
        assertFalse(cancelled.cancel(), "cancelled once");
    }

    @Test
    void anIdleLoopWakesForAPrioritizedEvent() {
        EventLoop loop = EventLoop.started("prio-wake", reporter, true, EventLoop.DEFAULT_CLOSE_GRACE);
        toClose.add(loop);
        for (int round = 0; round < 1_000; round++) {
            // The loop is idle (asleep, or spinning) between rounds: each post must wake it.
            CountDownLatch ran = new CountDownLatch(1);
            loop.post(ran::countDown, round % 2 == 0 ? Priority.HIGH : Priority.LOW);
            TestSupport.await(ran);
        }
        assertEquals(List.of(), reporter.warnings);
    }

    @Test
    void closingRunsThePendingPrioritizedEventsInOrderAndThenRefusesThem() {
        EventLoop loop = EventLoop.driven("prio-close", reporter);
        postMix(loop);
        loop.close(); // nobody drives it: the close drains it here
        assertEquals(MIX_ORDER, ran);
        RejectedExecutionException refused = assertThrows(RejectedExecutionException.class,
                () -> loop.post(record("late"), Priority.HIGH));
        assertTrue(refused.getMessage().contains("prio-close"), refused.getMessage());
        assertThrows(RejectedExecutionException.class, () -> loop.postClaimed(record("late"), Priority.LOW));
        assertThrows(NullPointerException.class, () -> loop.post(null, Priority.HIGH));
        assertEquals(MIX_ORDER, ran);
    }

    @Test
    void selfClaimingCompletionsAreOrderedAlike() {
        EventLoop loop = EventLoop.driven("prio-claimed", reporter);
        toClose.add(loop);
        loop.postClaimed(record("default"));
        loop.postClaimed(record("low"), Priority.LOW);
        loop.postClaimed(record("high"), Priority.HIGH);
        loop.postClaimed(record("default-2"), Priority.DEFAULT);
        assertTrue(loop.iterate(false));
        assertEquals(List.of("high", "default", "default-2", "low"), ran, "completions are ordered alike");
    }

    // ------------------------------------------------------------------ an adopted executor

    /** An executor that queues what it is handed, run by the test; refuses while {@code refusing}. */
    private static final class ManualExecutor implements Executor {
        final Queue<Runnable> handed = new ArrayDeque<>();
        boolean refusing;
        /** Runs the first handed runnable inside the refusing call, before refusing. */
        boolean runOneThenRefuse;

        @Override
        public synchronized void execute(Runnable command) {
            if (runOneThenRefuse) {
                runOneThenRefuse = false;
                handed.poll().run();
                throw new RejectedExecutionException("manual executor: refusing after running one");
            }
            if (refusing) {
                throw new RejectedExecutionException("manual executor: refusing");
            }
            handed.add(command);
        }

        synchronized void runAll() {
            Runnable next;
            while ((next = handed.poll()) != null) {
                next.run();
            }
        }
    }

    private EventContext adopt(String name, ManualExecutor executor) {
        EventContext context = factory.adopt(name, executor);
        toClose.add(() -> {
            executor.refusing = false;
            executor.runOneThenRefuse = false;
            executor.runAll(); // so that the close finds nothing left to wait for
            context.close();
        });
        return context;
    }

    @Test
    void anAdoptedExecutorRunsTheEventsItsContextHoldsByPriority() {
        ManualExecutor executor = new ManualExecutor();
        EventContext context = adopt("prio-adopted", executor);
        context.post(record("handed straight"));
        postMix(context); // the first, default-1, goes straight too: nothing is held yet
        assertEquals(12, executor.handed.size(), "one runnable handed per event");
        executor.runAll();
        List<String> expected = new ArrayList<>();
        expected.add("handed straight");
        expected.add("default-1");
        // held from low-1 on: ordered among themselves
        expected.addAll(List.of("highest", "high-1", "high-2", "default-2", "default-3", "high-idle", "default-idle",
                "low-1", "low-2", "lowest"));
        assertEquals(expected, ran);
        ran.clear();
        context.post(record("straight again: nothing held"));
        context.post(record("held high"), Priority.HIGH);
        context.post(record("held default, after the high"));
        executor.runAll();
        assertEquals(List.of("straight again: nothing held", "held high", "held default, after the high"), ran,
                "the executor's own order for what it was handed, then the held events'");
        assertEquals(List.of(), reporter.warnings);
    }

    @Test
    void aCancelledHeldEventIsSkippedAndARefusedOneIsTakenBack() {
        ManualExecutor executor = new ManualExecutor();
        EventContext context = adopt("prio-refused", executor);
        EventSource cancelled = context.post(record("cancelled"), Priority.LOW);
        context.post(record("kept"), Priority.LOW);
        assertTrue(cancelled.cancel());
        executor.refusing = true;
        RejectedExecutionException refused = assertThrows(RejectedExecutionException.class,
                () -> context.post(record("refused"), Priority.HIGH));
        assertTrue(refused.getMessage().contains("prio-refused") && refused.getMessage().contains("refused"),
                refused.getMessage());
        executor.refusing = false;
        executor.runAll();
        assertEquals(List.of("kept"), ran, "the refused event never runs; the cancelled one is skipped");
        ran.clear();
        context.post(record("straight"));
        context.post(record("then held"), Priority.LOW);
        executor.runAll();
        assertEquals(List.of("straight", "then held"), ran, "nothing is left held");
    }

    @Test
    void aRefusalAfterASlotRanTheRefusedEventDropsTheLastHeldOneWithAReport() {
        ManualExecutor executor = new ManualExecutor();
        EventContext context = adopt("prio-surplus", executor);
        context.post(record("low, its slot handed"), Priority.LOW);
        executor.runOneThenRefuse = true; // the low's slot runs inside the refusing call, and takes the high
        context.post(record("high, run by the low's slot"), Priority.HIGH);
        assertEquals(List.of("high, run by the low's slot"), ran);
        RecordingReporter.Report report = reporter.await(r -> r.message().contains("dropped"));
        assertTrue(report.message().contains("prio-surplus"), report.message());
        executor.runAll();
        assertEquals(List.of("high, run by the low's slot"), ran, "the low event had no slot left");
        context.post(record("straight"));
        executor.runAll();
        assertEquals(List.of("high, run by the low's slot", "straight"), ran);
    }
}
