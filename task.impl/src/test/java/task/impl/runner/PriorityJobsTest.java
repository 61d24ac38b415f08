package task.impl.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import task.api.Priority;
import task.impl.TestSupport;
import task.impl.log.Reporter;

/**
 * The runner's priorities ({@link WorkerThreads#execute(Runnable, int)},
 * GLib's {@code g_task_set_priority} for workers): jobs that wait for a
 * thread are taken by priority, FIFO within one; the second queue keeps
 * every job's run-or-abandon-once and wake-up guarantees. The order is
 * proven with a pool of one platform thread held by a latch, never by time.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class PriorityJobsTest {
    private final AtomicInteger warnings = new AtomicInteger();
    private final Reporter reporter = new Reporter() {
        @Override
        public void warn(String message, Throwable failure) {
            warnings.incrementAndGet();
        }

        @Override
        public void debug(String message, Throwable failure) {
        }
    };
    private WorkerThreads runner;

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.stop(Duration.ofSeconds(5));
        }
    }

    /** One platform thread and no extra one: what queues stays queued while the thread is held. */
    private WorkerThreads onePlatformThread() {
        runner = WorkerThreads.start("prio-worker-", false, 1, 0, Duration.ofSeconds(1), Duration.ofSeconds(60),
                reporter);
        return runner;
    }

    /** Holds the pool's only thread until {@code release} opens; returns once it is held. */
    private void hold(CountDownLatch release) {
        CountDownLatch held = new CountDownLatch(1);
        runner.execute(() -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException stopped) {
                // stop() interrupts running jobs
            }
        });
        TestSupport.await(held);
    }

    @Test
    void queuedJobsAreTakenByPriorityThenInArrivalOrder() {
        onePlatformThread();
        CountDownLatch release = new CountDownLatch(1);
        hold(release);
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(9);
        Object[][] jobs = { { "default-1", Priority.DEFAULT }, { "low-1", Priority.LOW }, { "high-1", Priority.HIGH },
            { "default-2", Priority.DEFAULT }, { "high-2", Priority.HIGH }, { "low-2", Priority.LOW },
            { "high-idle", Priority.HIGH_IDLE }, { "higher", Priority.HIGH * 10 }, { "default-3", Priority.DEFAULT } };
        for (Object[] job : jobs) {
            String name = (String) job[0];
            runner.execute(() -> {
                ran.add(name);
                done.countDown();
            }, (Integer) job[1]);
        }
        assertEquals(10, runner.activeCount(), "the held job and nine queued, in both queues");
        release.countDown();
        TestSupport.await(done);
        assertEquals(List.of("higher", "high-1", "high-2", "default-1", "default-2", "default-3", "high-idle", "low-1",
                "low-2"), ran, "higher priorities first, each in arrival order; the default's own FIFO unchanged");
    }

    @Test
    void stopAbandonsQueuedPrioritizedJobsOnce() {
        onePlatformThread();
        CountDownLatch release = new CountDownLatch(1);
        hold(release);
        AtomicInteger ran = new AtomicInteger();
        List<RejectedExecutionException> abandoned = new CopyOnWriteArrayList<>();
        for (int priority : new int[] { Priority.HIGH, Priority.LOW, Priority.DEFAULT }) {
            runner.execute(new AbandonableJob() {
                @Override
                public void run() {
                    ran.incrementAndGet();
                }

                @Override
                public void abandon(RejectedExecutionException why) {
                    abandoned.add(why);
                }
            }, priority);
        }
        assertTrue(runner.stop(Duration.ofSeconds(5)), "the held job is interrupted out of its wait");
        assertEquals(0, ran.get());
        assertEquals(3, abandoned.size(), "each queued job, of either queue, learns once that it will never run");
        assertEquals(0, runner.activeCount());
        assertThrows(RejectedExecutionException.class, () -> runner.execute(() -> { }, Priority.HIGH));
        assertThrows(NullPointerException.class, () -> runner.execute(null, Priority.HIGH));
    }

    /**
     * Producers of prioritized and default jobs racing each other and the
     * workers, which park and wake between bursts: every job runs exactly
     * once, none is left queued without a worker (a lost wake-up hangs here).
     */
    @ParameterizedTest(name = "virtualThreads={0}")
    @ValueSource(booleans = {false, true})
    void everyJobOfMixedPrioritiesRunsOnce(boolean virtual) throws InterruptedException {
        runner = WorkerThreads.start("prio-mixed-", virtual, 2, Duration.ofSeconds(60), reporter);
        int producers = 3;
        int perProducer = 20_000;
        int[] priorities = { Priority.HIGH, Priority.DEFAULT, Priority.LOW, Priority.DEFAULT_IDLE };
        AtomicIntegerArray runs = new AtomicIntegerArray(producers * perProducer);
        CountDownLatch done = new CountDownLatch(producers * perProducer);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int first = p * perProducer;
            threads.add(new Thread(() -> {
                for (int j = first; j < first + perProducer; j++) {
                    int job = j;
                    runner.execute(() -> {
                        runs.incrementAndGet(job);
                        done.countDown();
                    }, priorities[j % priorities.length]);
                    if (j % 1_000 == 0) {
                        Thread.yield(); // bursts: workers run dry, park and are woken again
                    }
                }
            }, "test-producer-" + p));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        TestSupport.await(done);
        for (int j = 0; j < runs.length(); j++) {
            assertEquals(1, runs.get(j), "job " + j);
        }
        assertEquals(0, warnings.get());
    }

    /** A parked pool wakes for a prioritized job alone, and a throwing one kills no thread. */
    @ParameterizedTest(name = "virtualThreads={0}")
    @ValueSource(booleans = {false, true})
    void aPrioritizedJobWakesAnIdlePoolAndMayThrow(boolean virtual) {
        runner = WorkerThreads.start("prio-idle-", virtual, 1, Duration.ofSeconds(60), reporter);
        for (int round = 0; round < 100; round++) {
            runner.execute(() -> {
                throw new IllegalStateException("job failure (expected by the test)");
            }, Priority.LOW);
            AtomicReference<String> thread = new AtomicReference<>();
            CountDownLatch ran = new CountDownLatch(1);
            runner.execute(() -> {
                thread.set(Thread.currentThread().getName());
                ran.countDown();
            }, round % 2 == 0 ? Priority.HIGH : Priority.LOW);
            TestSupport.await(ran);
            assertNotNull(thread.get());
            assertTrue(thread.get().startsWith("prio-idle-"), thread.get());
        }
        assertEquals(100, warnings.get(), "each throw reported, once");
    }

    /** Virtual threads: nothing waits for a thread, so a low job behind a blocked high one still runs. */
    @Test
    void virtualThreadsLetNoPrioritizedJobWait() {
        runner = WorkerThreads.start("prio-virtual-", true, 1, Duration.ofSeconds(60), reporter);
        assumeTrue(runner.usesVirtualThreads(), "needs virtual threads (JDK 21+)");
        CountDownLatch lowRan = new CountDownLatch(1);
        CountDownLatch highDone = new CountDownLatch(1);
        runner.execute(() -> {
            TestSupport.await(lowRan); // waits for the job queued after it, at a lower priority
            highDone.countDown();
        }, Priority.HIGH);
        runner.execute(lowRan::countDown, Priority.LOW);
        TestSupport.await(highDone);
    }
}
