package task.impl.runner;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import task.api.ThreadRunner;
import task.impl.log.Reporter;

/**
 * The thread runner: one virtual thread per job where the JVM has them,
 * otherwise a bounded pool of named platform daemon threads with an
 * unbounded queue (a job waits for a thread; it is never refused while the
 * runner runs).
 * <p>
 * Life: running until {@link #stop(Duration)}; then {@code execute} refuses,
 * running jobs are interrupted and waited for up to the grace period, and
 * jobs that never started are {@linkplain AbandonableJob#abandon abandoned}.
 * Happens-before: {@code execute} happens-before the job runs (thread start
 * or the pool's queue).
 */
public final class WorkerThreads implements ThreadRunner {
    private final String namePrefix;
    private final Reporter reporter;
    /** Virtual threads only: one thread per job, tracked to be interrupted on stop. */
    private final ThreadFactory virtualFactory;
    private final Set<Thread> virtualLive = ConcurrentHashMap.newKeySet();
    /** Platform threads only. */
    private final ThreadPoolExecutor pool;
    /**
     * Platform threads only: every pool thread not yet seen dead, so that
     * stop() can join them (the pool reports termination before its last
     * threads have exited).
     */
    private final Set<Thread> platformThreads;
    private volatile boolean stopped;

    private WorkerThreads(String namePrefix, Reporter reporter, ThreadFactory virtualFactory, ThreadPoolExecutor pool,
            Set<Thread> platformThreads) {
        this.namePrefix = namePrefix;
        this.reporter = reporter;
        this.virtualFactory = virtualFactory;
        this.pool = pool;
        this.platformThreads = platformThreads;
    }

    /**
     * Starts a runner.
     *
     * @param namePrefix prefix of the worker threads' names
     * @param preferVirtual use virtual threads where the JVM has them
     * @param maxPlatformThreads the pool's size when platform threads are used, at least 1
     * @param keepAlive how long an idle platform thread lives, positive
     * @param reporter where failures that escape a job go
     * @return the running runner
     * @throws IllegalArgumentException if a size or duration is out of range
     */
    public static WorkerThreads start(String namePrefix, boolean preferVirtual, int maxPlatformThreads,
            Duration keepAlive, Reporter reporter) {
        Objects.requireNonNull(namePrefix, "namePrefix");
        Objects.requireNonNull(reporter, "reporter");
        if (maxPlatformThreads < 1) {
            throw new IllegalArgumentException("thread runner: maxPlatformThreads must be at least 1, got "
                    + maxPlatformThreads);
        }
        if (keepAlive.isNegative() || keepAlive.isZero()) {
            throw new IllegalArgumentException("thread runner: keepAlive must be positive, got " + keepAlive);
        }
        Optional<ThreadFactory> virtual = preferVirtual ? VirtualThreads.factory(namePrefix) : Optional.empty();
        if (virtual.isPresent()) {
            return new WorkerThreads(namePrefix, reporter, virtual.get(), null, Set.of());
        }
        AtomicLong counter = new AtomicLong();
        Set<Thread> platformThreads = ConcurrentHashMap.newKeySet();
        ThreadFactory platform = job -> {
            Thread thread = new Thread(job, namePrefix + counter.getAndIncrement());
            thread.setDaemon(true);
            platformThreads.removeIf(old -> !old.isAlive());
            platformThreads.add(thread);
            return thread;
        };
        ThreadPoolExecutor pool = new ThreadPoolExecutor(maxPlatformThreads, maxPlatformThreads,
                keepAlive.toNanos(), TimeUnit.NANOSECONDS, new LinkedBlockingQueue<>(), platform) {
            /** Queued as they are (no wrapper per job), so a job that throws is reported here. */
            @Override
            protected void afterExecute(Runnable job, Throwable escaped) {
                if (escaped != null) {
                    reporter.warn("thread runner: a job threw", escaped);
                }
            }
        };
        pool.allowCoreThreadTimeOut(true);
        return new WorkerThreads(namePrefix, reporter, null, pool, platformThreads);
    }

    @Override
    public void execute(Runnable job) {
        Objects.requireNonNull(job, "job");
        if (stopped) {
            throw refused();
        }
        if (pool != null) {
            pool.execute(job);
            return;
        }
        Thread thread = virtualFactory.newThread(() -> {
            try {
                runGuarded(job);
            } finally {
                virtualLive.remove(Thread.currentThread());
            }
        });
        // Registering and starting under the lock that stop() takes to set
        // `stopped` and snapshot the live threads: a thread is either refused
        // or started where stop() sees it, never started behind its back.
        synchronized (virtualLive) {
            if (stopped) {
                throw refused();
            }
            virtualLive.add(thread);
            thread.start();
        }
    }

    private void runGuarded(Runnable job) {
        try {
            job.run();
        } catch (Throwable escaped) {
            reporter.warn("thread runner: a job threw", escaped);
        }
    }

    @Override
    public boolean usesVirtualThreads() {
        return pool == null;
    }

    @Override
    public int activeCount() {
        return pool != null ? pool.getActiveCount() + pool.getQueue().size() : virtualLive.size();
    }

    /**
     * Stops the runner: refuses new jobs, interrupts running ones, waits for
     * them up to {@code grace}, abandons the ones that never started.
     * Idempotent.
     *
     * @param grace how long to wait for running jobs
     * @return true if every job ended within the grace period
     */
    public boolean stop(Duration grace) {
        synchronized (virtualLive) {
            stopped = true;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        if (pool != null) {
            List<Runnable> neverStarted = pool.shutdownNow();
            for (Runnable job : neverStarted) {
                abandon(job);
            }
            try {
                if (!pool.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            // Terminated, but its threads may still be exiting: wait until none is alive.
            for (Thread thread : List.copyOf(platformThreads)) {
                long left = deadline - System.nanoTime();
                if (thread != Thread.currentThread() && (left <= 0 || !join(thread, left))) {
                    return false;
                }
            }
            return true;
        }
        List<Thread> live;
        synchronized (virtualLive) {
            live = List.copyOf(virtualLive);
        }
        for (Thread thread : live) {
            thread.interrupt();
        }
        for (Thread thread : live) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !join(thread, left)) {
                return false;
            }
        }
        return true;
    }

    private void abandon(Runnable job) {
        if (job instanceof AbandonableJob) {
            try {
                ((AbandonableJob) job).abandon(refused());
            } catch (Throwable escaped) {
                reporter.warn("thread runner: abandoning a job threw", escaped);
            }
        }
    }

    private static boolean join(Thread thread, long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedJoin(thread, nanos);
            return !thread.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }


    private RejectedExecutionException refused() {
        return new RejectedExecutionException("thread runner '" + namePrefix + "' is stopped");
    }
}
