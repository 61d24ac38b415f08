package task.impl.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
}
