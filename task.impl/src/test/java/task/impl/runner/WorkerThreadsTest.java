package task.impl.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import task.impl.TestSupport;
import task.impl.log.Reporter;

@Timeout(value = 20, unit = TimeUnit.SECONDS) // hang guard only
class WorkerThreadsTest {
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

    private WorkerThreads start(boolean virtual, int max) {
        runner = WorkerThreads.start("test-worker-", virtual, max, Duration.ofSeconds(60), reporter);
        assertEquals(Runtime.version().feature() >= 21 && virtual, runner.usesVirtualThreads());
        return runner;
    }

    @ParameterizedTest(name = "virtualThreads={0}")
    @ValueSource(booleans = {false, true})
    void runsJobsOnNamedThreadsAndSurvivesAThrowingJob(boolean virtual) {
        start(virtual, 2);
        runner.execute(() -> {
            throw new IllegalStateException("job failure (expected by the test)");
        });
        CompletableFuture<String> name = new CompletableFuture<>();
        runner.execute(() -> name.complete(Thread.currentThread().getName()));
        assertTrue(TestSupport.get(name).startsWith("test-worker-"));
    }

    @ParameterizedTest(name = "virtualThreads={0}")
    @ValueSource(booleans = {false, true})
    void stopInterruptsRunningJobsAndRejectsNewOnes(boolean virtual) {
        start(virtual, 2);
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        runner.execute(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
                interrupted.set(false);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        TestSupport.await(started);
        assertTrue(runner.stop(Duration.ofSeconds(5)));
        assertSame(Boolean.TRUE, interrupted.get());
        assertThrows(RejectedExecutionException.class, () -> runner.execute(() -> { }));
        assertEquals(0, runner.activeCount());
    }

    @Test
    void stopAbandonsQueuedJobs() {
        start(false, 1);
        assumeFalse(runner.usesVirtualThreads());
        CountDownLatch started = new CountDownLatch(1);
        runner.execute(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                // stop
            }
        });
        TestSupport.await(started);
        AtomicInteger ran = new AtomicInteger();
        AtomicReference<RejectedExecutionException> abandoned = new AtomicReference<>();
        runner.execute(new AbandonableJob() {
            @Override
            public void run() {
                ran.incrementAndGet();
            }

            @Override
            public void abandon(RejectedExecutionException why) {
                abandoned.set(why);
            }
        });
        assertEquals(2, runner.activeCount());
        assertTrue(runner.stop(Duration.ofSeconds(5)));
        assertEquals(0, ran.get());
        assertTrue(abandoned.get() != null, "a queued job learns it will never run");
    }

    @Test
    void rejectsBadSizes() {
        assertThrows(IllegalArgumentException.class,
                () -> WorkerThreads.start("x-", false, 0, Duration.ofSeconds(1), reporter));
        assertThrows(IllegalArgumentException.class,
                () -> WorkerThreads.start("x-", false, 1, Duration.ZERO, reporter));
    }

    /**
     * A job offered while the only worker is busy with (or about to take) a
     * blocked job still runs: the blocked job waits for the second one, so a
     * second job queued behind it would hang. Offered back to back (the
     * spinner's race) and after the first started (the busy worker's).
     */
    @ParameterizedTest(name = "virtualThreads={0}")
    @ValueSource(booleans = {false, true})
    void aJobNeverWaitsBehindABlockedJob(boolean virtual) {
        start(virtual, 2);
        for (int i = 0; i < 500; i++) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch secondRan = new CountDownLatch(1);
            CompletableFuture<Boolean> first = new CompletableFuture<>();
            runner.execute(() -> {
                started.countDown();
                try {
                    first.complete(secondRan.await(TestSupport.GUARD_SECONDS, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    first.completeExceptionally(e);
                }
            });
            if (i % 2 == 1) {
                TestSupport.await(started);
            }
            runner.execute(secondRan::countDown);
            assertTrue(TestSupport.get(first), "round " + i + ": the second job waited behind the first");
        }
    }

    /** Producers racing each other and the workers: every job runs exactly once. */
    @ParameterizedTest(name = "virtualThreads={0}")
    @ValueSource(booleans = {false, true})
    void everyJobOfManyProducersRunsOnce(boolean virtual) throws InterruptedException {
        start(virtual, 3);
        int producers = 4;
        int perProducer = 25_000;
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
                    });
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
    }

    /**
     * stop() racing producers and workers: every job that execute() took
     * runs or is abandoned, exactly once, and no worker thread is alive when
     * stop() returns true. Some jobs block until interrupted, so that stop
     * meets running jobs and (platform threads) queued ones.
     */
    @ParameterizedTest(name = "virtualThreads={0}")
    @ValueSource(booleans = {false, true})
    void stopRacingExecuteRunsOrAbandonsEachJobOnce(boolean virtual) throws InterruptedException {
        for (int round = 0; round < 20; round++) {
            String prefix = "race-worker-" + round + "-";
            WorkerThreads racing = WorkerThreads.start(prefix, virtual, 2, Duration.ofSeconds(60), reporter);
            runner = racing;
            List<AtomicInteger> outcomes = new ArrayList<>(); // per accepted job: runs + abandons
            Set<Thread> workers = ConcurrentHashMap.newKeySet();
            AtomicInteger accepted = new AtomicInteger();
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                producers.add(new Thread(() -> {
                    List<AtomicInteger> mine = new ArrayList<>();
                    try {
                        // Bounded, in case stop() comes late: the race is in the first thousands.
                        for (int j = 0; j < 20_000; j++) {
                            AtomicInteger outcome = new AtomicInteger();
                            racing.execute(new CountingJob(outcome, workers, j % 50 == 0));
                            mine.add(outcome);
                            accepted.incrementAndGet();
                        }
                    } catch (RejectedExecutionException stopped) {
                        // the race's end
                    }
                    synchronized (outcomes) {
                        outcomes.addAll(mine);
                    }
                }, "test-producer-" + p));
            }
            producers.forEach(Thread::start);
            TestSupport.spinUntil(() -> accepted.get() >= 2_000);
            assertTrue(racing.stop(Duration.ofSeconds(TestSupport.GUARD_SECONDS)), "stop ended every worker");
            for (Thread producer : producers) {
                producer.join();
            }
            for (Thread worker : workers) {
                assertFalse(worker.isAlive(), () -> worker + " outlives stop");
            }
            assertEquals(Set.of(), liveThreadsNamed(prefix), "platform workers alive after stop");
            assertEquals(accepted.get(), outcomes.size());
            for (AtomicInteger outcome : outcomes) {
                assertEquals(1, outcome.get(), "a job ran or was abandoned, once");
            }
        }
    }

    /** A job counting its runs and abandons; blocking ones wait until interrupted. */
    private static final class CountingJob implements AbandonableJob {
        private final AtomicInteger outcome;
        private final Set<Thread> workers;
        private final boolean blocks;

        CountingJob(AtomicInteger outcome, Set<Thread> workers, boolean blocks) {
            this.outcome = outcome;
            this.workers = workers;
            this.blocks = blocks;
        }

        @Override
        public void run() {
            workers.add(Thread.currentThread());
            outcome.incrementAndGet();
            if (blocks) {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    // stop
                }
            }
        }

        @Override
        public void abandon(RejectedExecutionException why) {
            outcome.incrementAndGet();
        }
    }

    /** Platform threads idle for keepAlive end, like a pool's core threads that time out; later jobs still run. */
    @Test
    void idlePlatformThreadsEndAfterKeepAlive() throws InterruptedException {
        runner = WorkerThreads.start("idle-worker-", false, 3, Duration.ofMillis(50), reporter);
        for (int round = 0; round < 2; round++) {
            CountDownLatch started = new CountDownLatch(3);
            CountDownLatch release = new CountDownLatch(1);
            Set<Thread> workers = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 3; i++) {
                runner.execute(() -> {
                    workers.add(Thread.currentThread());
                    started.countDown();
                    TestSupport.await(release);
                });
            }
            TestSupport.await(started); // three threads at once: the pool's maximum
            assertEquals(3, workers.size());
            release.countDown();
            for (Thread worker : workers) {
                worker.join(TimeUnit.SECONDS.toMillis(TestSupport.GUARD_SECONDS)); // hang guard only
                assertFalse(worker.isAlive(), () -> worker + " outlives its keepAlive");
            }
            assertEquals(Set.of(), liveThreadsNamed("idle-worker-"));
            assertEquals(0, runner.activeCount());
        }
        CompletableFuture<String> name = new CompletableFuture<>();
        runner.execute(() -> name.complete(Thread.currentThread().getName()));
        assertTrue(TestSupport.get(name).startsWith("idle-worker-"));
    }

    /**
     * Jobs offered while the pool's only platform thread is leaving (a
     * keepAlive of a microsecond: it leaves as soon as it has spun): the
     * producer sees the pool full, so the leaving thread must see the job.
     */
    @Test
    void aJobOfferedWhileTheLastThreadLeavesRuns() {
        runner = WorkerThreads.start("leaving-worker-", false, 1, Duration.ofNanos(1_000), reporter);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 5_000; i++) {
            CompletableFuture<Integer> ran = new CompletableFuture<>();
            int round = i;
            runner.execute(() -> ran.complete(round));
            assertEquals(round, TestSupport.get(ran));
            // Jitter, not synchronisation: offer the next job at varying
            // points of the worker's spin, park and leaving.
            long until = System.nanoTime() + random.nextLong(100_000);
            while (System.nanoTime() - until < 0) {
                Thread.onSpinWait();
            }
        }
    }

    /** Virtual threads: many jobs blocked at once, each on its own thread, none waiting for another. */
    @Test
    void virtualThreadsRunEveryBlockedJobAtOnce() {
        start(true, 1);
        assumeTrue(runner.usesVirtualThreads());
        int jobs = 10_000;
        CountDownLatch allStarted = new CountDownLatch(jobs);
        CountDownLatch finished = new CountDownLatch(jobs);
        for (int i = 0; i < jobs; i++) {
            runner.execute(() -> {
                allStarted.countDown();
                TestSupport.await(allStarted);
                finished.countDown();
            });
        }
        TestSupport.await(finished);
    }

    /**
     * Virtual threads: the only platform worker computes (so a job queued
     * then gets no thread of its own), then waits for that job; the watch
     * sees it waiting and starts a virtual thread for the job.
     */
    @Test
    void aPlatformWorkerThatStartsWaitingLaterGetsTheQueuedJobAVirtualThread() {
        // No starvation interval to end within the test: only the watch's looks can start the thread.
        runner = WorkerThreads.start("test-worker-", true, 1, 0, Duration.ofHours(1), Duration.ofSeconds(60),
                reporter);
        assumeTrue(runner.usesVirtualThreads());
        AtomicBoolean queued = new AtomicBoolean();
        CountDownLatch secondRan = new CountDownLatch(1);
        AtomicReference<String> secondThread = new AtomicReference<>();
        CountDownLatch firstStarted = new CountDownLatch(1);
        runner.execute(() -> {
            firstStarted.countDown();
            TestSupport.spinUntil(queued::get); // runnable: no thread is started for the next job
            TestSupport.await(secondRan);
        });
        TestSupport.await(firstStarted);
        runner.execute(() -> {
            secondThread.set(Thread.currentThread().getName());
            secondRan.countDown();
        });
        queued.set(true);
        TestSupport.await(secondRan);
        assertTrue(secondThread.get().startsWith("test-worker-virtual-"), secondThread.get());
    }

    /**
     * Virtual threads: the only platform worker starts a job and then waits
     * for it inside the runtime (a managed block, as {@code waitThread});
     * the job gets a virtual thread at once, with no starvation interval to
     * end within the test.
     */
    @Test
    void aJobQueuedBehindAManagedWaitGetsAVirtualThread() {
        runner = WorkerThreads.start("test-worker-", true, 1, 0, Duration.ofHours(1), Duration.ofSeconds(60),
                reporter);
        assumeTrue(runner.usesVirtualThreads());
        CountDownLatch nestedRan = new CountDownLatch(1);
        CompletableFuture<Boolean> outer = new CompletableFuture<>();
        runner.execute(() -> {
            runner.execute(nestedRan::countDown);
            boolean managed = ManagedBlocking.begin();
            try {
                outer.complete(nestedRan.await(TestSupport.GUARD_SECONDS, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                outer.completeExceptionally(e);
            } finally {
                ManagedBlocking.end(managed);
            }
        });
        assertTrue(TestSupport.get(outer), "the job queued behind the managed wait ran");
    }

    /**
     * Virtual threads: the only platform worker blocks in a socket read on
     * loopback, whose thread state reads {@code RUNNABLE}, until the job
     * queued behind it writes the byte it waits for; the watch sees it in
     * the same job at two looks and starts a virtual thread for that job (no
     * starvation interval ends within the test).
     */
    @Test
    void aJobQueuedBehindABlockingSocketReadGetsAVirtualThread() throws IOException {
        runner = WorkerThreads.start("test-worker-", true, 1, 0, Duration.ofHours(1), Duration.ofSeconds(60),
                reporter);
        assumeTrue(runner.usesVirtualThreads());
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
                Socket served = server.accept()) {
            CompletableFuture<Integer> read = new CompletableFuture<>();
            CountDownLatch firstStarted = new CountDownLatch(1);
            AtomicReference<String> writerThread = new AtomicReference<>();
            runner.execute(() -> {
                firstStarted.countDown();
                try {
                    read.complete(served.getInputStream().read());
                } catch (IOException e) {
                    read.completeExceptionally(e);
                }
            });
            TestSupport.await(firstStarted);
            runner.execute(() -> {
                writerThread.set(Thread.currentThread().getName());
                try {
                    client.getOutputStream().write(42);
                } catch (IOException e) {
                    read.completeExceptionally(e);
                }
            });
            assertEquals(42, TestSupport.get(read));
            assertTrue(writerThread.get().startsWith("test-worker-virtual-"), writerThread.get());
        }
    }

    /** @return the live platform threads whose name starts with {@code prefix} */
    private static Set<Thread> liveThreadsNamed(String prefix) {
        Set<Thread> live = new HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && thread.getName().startsWith(prefix)) {
                live.add(thread);
            }
        }
        return live;
    }
}
