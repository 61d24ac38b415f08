package task.impl.runner;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

import task.api.ThreadRunner;
import task.impl.log.Reporter;

/**
 * The thread runner: a pool of worker threads, virtual where the JVM has
 * them, otherwise at most {@code maxPlatformThreads} named platform daemon
 * threads. The queue is unbounded: a job waits for a thread, it is never
 * refused while the runner runs.
 * <p>
 * <b>Design</b> ({@link WorkerPool}, {@link Worker}): one lock-free MPMC
 * queue of jobs (JCTools, in chunks: no node per job). A worker runs jobs
 * while the queue has some, then spins briefly (polls with
 * {@code onSpinWait}, then with {@code yield}: tens of microseconds), then
 * parks (platform threads, up to keepAlive, then it leaves) or leaves
 * (virtual threads, which are cheap to start again). A producer offers its
 * job and then does as little as it can: if a worker is spinning, nothing;
 * else it wakes one parked worker; else it starts one (platform threads:
 * below the maximum; virtual threads: always, so that a job never waits
 * behind a blocked one, each blocked job holding its own thread).
 * <p>
 * <b>Worker states:</b> RUNNING a job, SPINNING (counted in
 * {@code spinning}), PARKED (on the lock-guarded idle stack, counted in
 * {@code idle}), LEFT. Started or woken: counted spinning by whoever starts
 * or wakes it, before it runs, so that other producers rely on it instead of
 * waking more. SPINNING -> RUNNING: takes a job and stops counting; the last
 * spinner to do so (count down to 0) signals another worker if the queue is
 * still not empty, or a job offered while it spun would wait behind its job.
 * RUNNING -> RUNNING while jobs are queued; then -> SPINNING. SPINNING ->
 * PARKED: pushes itself idle, then stops counting spinning. PARKED ->
 * SPINNING: popped by a producer (or stop). SPINNING or PARKED -> LEFT: stops
 * counting, then under the lock leaves unless the queue is non-empty.
 * <p>
 * <b>No lost wake-up</b> (Dekker): a producer offers, issues a full fence
 * and reads {@code spinning} then {@code idle}; a worker leaving SPINNING
 * writes {@code idle} (or leaves the live list) and {@code spinning}, issues
 * a full fence and reads the queue. In the total order of the fences one of
 * the two sees the other: the worker sees the job (and goes on), or the
 * producer sees no spinner and wakes or starts one. When the producer finds
 * the pool full, it decides so under the lock, and a worker leaving decides
 * under the same lock, after re-reading the queue; so a full pool is never
 * one that has just lost the worker that would have run the job.
 * <p>
 * <b>Life:</b> running until {@link #stop(Duration)}; then {@code execute}
 * refuses, every job that never started is
 * {@linkplain AbandonableJob#abandon abandoned} exactly once (stop drains the
 * queue; an {@code execute} that queued its job before seeing
 * {@code stopped} drains it too; a worker that takes a job after
 * {@code stopped} abandons it; polling is exclusive), running jobs are
 * interrupted, and stop waits for every worker thread to end.
 * <p>
 * <b>Happens-before:</b> {@code execute} happens-before the job runs (the
 * queue's release store and the worker's acquiring poll).
 */
public final class WorkerThreads implements ThreadRunner {
    private final WorkerPool pool;
    private final boolean virtual;

    private WorkerThreads(WorkerPool pool, boolean virtual) {
        this.pool = pool;
        this.virtual = virtual;
    }

    /**
     * Starts a runner; its threads start on demand. Any thread.
     *
     * @param namePrefix prefix of the worker threads' names, numbered from 0
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
        WorkerPool pool = virtual.isPresent()
                ? new WorkerPool(namePrefix, reporter, virtual.get(), false, Integer.MAX_VALUE, keepAlive.toNanos())
                : new WorkerPool(namePrefix, reporter, platformThreads(namePrefix), true, maxPlatformThreads,
                        keepAlive.toNanos());
        return new WorkerThreads(pool, virtual.isPresent());
    }

    /** @return a factory of platform daemon threads named {@code namePrefix0}, {@code namePrefix1}... */
    private static ThreadFactory platformThreads(String namePrefix) {
        AtomicLong counter = new AtomicLong();
        return job -> {
            Thread thread = new Thread(job, namePrefix + counter.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * {@inheritDoc}
     * <p>
     * Any thread. Lock-free unless no worker is spinning (then it wakes or
     * starts one).
     */
    @Override
    public void execute(Runnable job) {
        pool.execute(Objects.requireNonNull(job, "job"));
    }

    @Override
    public boolean usesVirtualThreads() {
        return virtual;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Approximate: jobs queued plus workers neither spinning nor parked, read
     * without a lock; a worker between two states may count as running.
     */
    @Override
    public int activeCount() {
        return pool.activeCount();
    }

    /**
     * Stops the runner: refuses new jobs, abandons the ones that never
     * started, interrupts running ones and waits up to {@code grace} until
     * every worker thread has ended. Idempotent. Any thread (a worker
     * calling it does not wait for itself).
     *
     * @param grace how long to wait for running jobs
     * @return true if every worker thread ended within the grace period
     */
    public boolean stop(Duration grace) {
        return pool.stop(grace);
    }
}
