package task.impl.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;
import task.impl.TaskRuntime;
import task.impl.TestSupport;
import task.impl.log.Reporter;

/**
 * A platform pool whose workers block: inside the runtime (compensated, as
 * {@code ForkJoinPool.managedBlock}) and outside it (the pool grows on
 * starvation, as GLib's task pool), never beyond its hard cap, and back to
 * nothing when idle. Platform threads on every JDK (virtualThreads=false).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS) // hang guard only
class BlockedWorkersTest {
    /** Long enough that growth never helps a test that is about compensation. */
    private static final Duration NEVER = Duration.ofDays(1);

    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Reporter reporter = new Reporter() {
        @Override
        public void warn(String message, Throwable failure) {
            warnings.add(message + ": " + failure);
        }

        @Override
        public void debug(String message, Throwable failure) {
        }
    };
    private WorkerThreads runner;
    private TaskRuntime runtime;
    /** Released after each test, so that a failed test leaves no job blocked. */
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        if (runner != null) {
            assertTrue(runner.stop(Duration.ofSeconds(TestSupport.GUARD_SECONDS)), "the runner stopped");
        }
        if (runtime != null) {
            runtime.close();
        }
        assertEquals(List.of(), warnings, "nothing was reported");
    }

    /**
     * GLib's nested task, {@code inner.runInThread(); inner.waitThread();},
     * from workers that fill a pool of two: the waiting workers are
     * compensated, so the inner tasks run. Without compensation both wait
     * for ever (this test then fails on its guard).
     */
    @Test
    void workersWaitingForTasksTheyStartedInAFullPoolComplete() {
        runtime = TaskRuntime.builder().name("nested").virtualThreads(false).maxPlatformThreads(2)
                .maxExtraThreads(8).starvationInterval(NEVER).stopGrace(Duration.ofSeconds(1)).start();
        int outers = 2;
        CountDownLatch poolFull = new CountDownLatch(outers);
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (int i = 0; i < outers; i++) {
            CompletableFuture<String> result = new CompletableFuture<>();
            results.add(result);
            Task<Integer, String> outer = runtime.tasks().create(i, t -> { }, null);
            outer.runInThread(t -> {
                poolFull.countDown();
                TestSupport.await(poolFull); // both platform threads are taken now
                // The inner callback runs here, in waitThread.
                Task<Integer, String> inner = runtime.tasks().create(t.source(), done -> result.complete(done.result()),
                        null);
                inner.runInThread(in -> in.setResult("inner " + in.source()));
                inner.waitThread();
            });
        }
        for (int i = 0; i < outers; i++) {
            assertEquals("inner " + i, TestSupport.get(results.get(i)));
        }
    }

    /**
     * A worker of a pool of one that drives a caller-driven context until a
     * task it started completes there: its blocking {@code iterate(true)} is
     * compensated, so the task's worker gets a thread. Without it the task
     * waits behind the driving worker for ever (this test then fails on its
     * guard).
     */
    @Test
    void aWorkerDrivingAContextUntilItsTaskCompletesInAFullPoolCompletes() {
        runtime = TaskRuntime.builder().name("driving").virtualThreads(false).maxPlatformThreads(1)
                .maxExtraThreads(1).starvationInterval(NEVER).stopGrace(Duration.ofSeconds(1)).start();
        CompletableFuture<String> result = new CompletableFuture<>();
        Task<String, Void> outer = runtime.tasks().create("outer", t -> { }, null);
        outer.runInThread(t -> {
            EventContext context = runtime.contexts().create("driven-by-a-worker");
            try {
                AtomicReference<String> seen = new AtomicReference<>();
                Task<String, String> inner = runtime.tasks().create("inner", done -> seen.set(done.result()), null);
                inner.runInThread(in -> in.setResult("ran beside the driving worker"), null, context);
                while (seen.get() == null) {
                    context.iterate(true);
                }
                result.complete(seen.get());
            } finally {
                context.close();
            }
        });
        assertEquals("ran beside the driving worker", TestSupport.get(result));
    }

    /**
     * As many jobs as the pool has threads, blocked on a latch (outside the
     * runtime, so not compensated), and a short job queued behind them: it
     * runs while they are still blocked, once the pool has grown for
     * starvation. Without growth it waits for ever (this test then fails on
     * its guard).
     */
    @Test
    void jobsBlockedOutsideTheRuntimeDoNotStarveAShortJob() {
        int size = 3;
        runner = WorkerThreads.start("starved-worker-", false, size, 4, Duration.ofMillis(10),
                Duration.ofSeconds(60), reporter);
        CountDownLatch allBlocked = new CountDownLatch(size);
        for (int i = 0; i < size; i++) {
            runner.execute(() -> {
                allBlocked.countDown();
                awaitRelease();
            });
        }
        TestSupport.await(allBlocked);
        CompletableFuture<Long> shortJob = new CompletableFuture<>();
        runner.execute(() -> shortJob.complete(release.getCount()));
        assertEquals(1L, TestSupport.get(shortJob), "the short job ran while the others were still blocked");
        assertTrue(runner.liveThreads() > size, "a thread was added beyond the pool's size");
    }

    /**
     * 20 jobs on a pool of 2 with 8 extra threads, each waiting on a latch
     * (outside the runtime, announcing nothing), with growth on starvation
     * turned off: the watch sees the waiting workers' thread states and
     * compensates them, so 10 jobs wait at once, the hard cap, never more;
     * released, all complete. Without the looks at thread states only 2
     * would ever run (this test then fails on its guard).
     */
    @Test
    void jobsSeenWaitingOutsideTheRuntimeAreCompensatedUpToTheHardCap() {
        int size = 2;
        int cap = size + 8;
        int jobs = 20;
        runner = WorkerThreads.start("waiting-worker-", false, size, cap - size, NEVER, Duration.ofSeconds(60),
                reporter);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(jobs);
        for (int i = 0; i < jobs; i++) {
            runner.execute(() -> {
                mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                awaitRelease();
                running.decrementAndGet();
                done.countDown();
            });
        }
        TestSupport.spinUntil(() -> running.get() == cap);
        assertEquals(cap, runner.threadLimit(), "the limit: the pool's size and a thread per waiting worker, capped");
        release.countDown();
        TestSupport.await(done);
        assertEquals(cap, mostAtOnce.get(), "jobs running at once: the hard cap, reached and never passed");
    }

    /**
     * 1,000 jobs on a pool of 2 with 8 extra threads, each blocking in a
     * managed wait (each asks for compensation) with growth on starvation
     * pushing as well: no more than 10 ever run at once, nor are alive;
     * released, all complete; idle, every thread (and the watch) leaves after
     * its keepAlive. Without the cap, every blocked job would get a thread
     * (1,000 at once).
     */
    @Test
    void blockedJobsNeverTakeMoreThreadsThanTheHardCap() {
        int size = 2;
        int cap = size + 8;
        int jobs = 1_000;
        String prefix = "capped-worker-";
        runner = WorkerThreads.start(prefix, false, size, cap - size, Duration.ofMillis(1), Duration.ofMillis(20),
                reporter);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(jobs);
        for (int i = 0; i < jobs; i++) {
            runner.execute(() -> {
                mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                boolean managed = ManagedBlocking.begin();
                try {
                    awaitRelease();
                } finally {
                    ManagedBlocking.end(managed);
                }
                running.decrementAndGet();
                done.countDown();
            });
        }
        TestSupport.spinUntil(() -> running.get() >= cap);
        assertTrue(runner.liveThreads() <= cap, () -> runner.liveThreads() + " threads alive");
        assertTrue(workerThreadsNamed(prefix) <= cap, () -> workerThreadsNamed(prefix) + " threads named " + prefix);
        release.countDown();
        TestSupport.await(done);
        assertEquals(cap, mostAtOnce.get(), "jobs running at once: the hard cap, reached and never passed");

        TestSupport.spinUntil(() -> runner.liveThreads() == 0 && workerThreadsNamed(prefix) == 0);
        TestSupport.spinUntil(() -> !watchAlive(prefix)); // the idle watch leaves after its keepAlive too
        assertEquals(0, runner.activeCount());
    }

    /**
     * A pool of 2 grown to its cap of 4 for jobs blocked outside the runtime:
     * released and idle, the threads leave after their keepAlive and the
     * limit falls back to the pool's size, so that the next burst of blocking
     * must be seen starving again. Without the clipping of growth as threads
     * leave, the limit would stay at 4.
     */
    @Test
    void threadsAddedForStarvationLeaveWhenIdleAndTheLimitFallsBack() {
        int size = 2;
        int cap = 4;
        String prefix = "grown-worker-";
        runner = WorkerThreads.start(prefix, false, size, cap - size, Duration.ofMillis(1), Duration.ofMillis(20),
                reporter);
        CountDownLatch allRunning = new CountDownLatch(cap);
        CountDownLatch done = new CountDownLatch(cap);
        for (int i = 0; i < cap; i++) {
            runner.execute(() -> {
                allRunning.countDown();
                awaitRelease();
                done.countDown();
            });
        }
        TestSupport.await(allRunning); // two threads added for starvation
        assertEquals(cap, runner.threadLimit());
        release.countDown();
        TestSupport.await(done);
        TestSupport.spinUntil(() -> runner.liveThreads() == 0 && workerThreadsNamed(prefix) == 0);
        assertEquals(size, runner.threadLimit(), "the growth was given up as the threads left");
    }

    /** Compensation follows the wait: a worker blocked in a managed wait raises the limit by one, until it ends. */
    @Test
    void aManagedWaitRaisesTheLimitWhileItLasts() {
        runner = WorkerThreads.start("managed-worker-", false, 1, 1, NEVER, Duration.ofSeconds(60), reporter);
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        AtomicInteger limitInside = new AtomicInteger();
        runner.execute(() -> {
            boolean managed = ManagedBlocking.begin();
            try {
                assertFalse(ManagedBlocking.begin(), "a nested wait is not counted twice");
                limitInside.set(runner.threadLimit());
                blocked.countDown();
                awaitRelease();
            } finally {
                ManagedBlocking.end(managed);
            }
            ended.countDown();
        });
        TestSupport.await(blocked);
        assertEquals(2, limitInside.get());
        assertFalse(ManagedBlocking.begin(), "a thread that is not a worker is not counted");
        release.countDown();
        TestSupport.await(ended);
        assertEquals(1, runner.threadLimit());
    }

    /** The new settings are checked where the runner starts, naming the setting and the value. */
    @Test
    void rejectsBadExtraThreadsAndStarvationIntervals() {
        Duration second = Duration.ofSeconds(1);
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> WorkerThreads.start("x-", false, 2, -1, second, second, reporter));
        assertTrue(negative.getMessage().contains("maxExtraThreads") && negative.getMessage().endsWith("got -1"),
                negative::getMessage);
        IllegalArgumentException overflow = assertThrows(IllegalArgumentException.class,
                () -> WorkerThreads.start("x-", false, 2, Integer.MAX_VALUE, second, second, reporter));
        assertTrue(overflow.getMessage().contains("at most " + (Integer.MAX_VALUE - 2)), overflow::getMessage);
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> TaskRuntime.builder().starvationInterval(Duration.ZERO).start());
        assertTrue(zero.getMessage().contains("starvationInterval must be positive, got PT0S"), zero::getMessage);
        assertThrows(NullPointerException.class, () -> TaskRuntime.builder().starvationInterval(null));
        assertThrows(IllegalArgumentException.class, () -> TaskRuntime.builder().maxExtraThreads(-1).start());
    }

    private void awaitRelease() {
        try {
            release.await();
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the live platform worker threads named {@code prefix} and a number */
    private static int workerThreadsNamed(String prefix) {
        int count = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && thread.getName().matches(Pattern.quote(prefix) + "\\d+")) {
                count++;
            }
        }
        return count;
    }

    /** @return true if the pool's starvation watch thread lives */
    private static boolean watchAlive(String prefix) {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && thread.getName().equals(prefix + "watch")) {
                return true;
            }
        }
        return false;
    }
}
