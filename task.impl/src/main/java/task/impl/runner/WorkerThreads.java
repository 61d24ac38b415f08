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
 * {@code onSpinWait}, then with {@code yield}: tens of microseconds; at most
 * {@code WorkerPool.maxSpinners} workers spin at once, the others poll
 * once; on two cores workers never spin), then
 * parks (platform threads, up to keepAlive, then it leaves) or leaves
 * (virtual threads, cheap to start again). A producer offers its job and
 * then does as little as it can: if a worker is spinning, nothing; else it
 * wakes one parked worker; else it starts one (platform threads: below the
 * maximum; virtual threads: always, so that a job never waits behind a
 * blocked one, each blocked job holding its own thread). An event
 * context's own thread ({@link BatchingThread}) holds that wake-up until its
 * batch of events ends: one per batch, not one per job.
 * <p>
 * <b>Worker states:</b> RUNNING a job; SPINNING, counted in
 * {@code spinning}; PARKED, on the lock-guarded idle stack, counted in
 * {@code idle}; LEFT, off the live list (whose length is {@code live}).
 * <ul>
 * <li>Started or woken: counted spinning by whoever starts or wakes it, before
 * it runs, so that other producers rely on it instead of waking more.
 * <li>SPINNING -> RUNNING: it takes a job and stops counting itself. The last
 * spinner to do so (count down to 0) signals another worker if the queue is
 * still not empty: a job offered while it spun found it spinning and woke no
 * one, and must not wait behind the job it took (Go's scheduler has the same
 * rule).
 * <li>RUNNING -> RUNNING while jobs are queued (no counter moves), then ->
 * SPINNING.
 * <li>SPINNING -> PARKED: pushes itself idle, then stops counting spinning,
 * fences and re-reads the queue: not empty, it takes itself back.
 * <li>PARKED -> SPINNING: popped by a producer or by stop(), or its own
 * re-read above.
 * <li>SPINNING (virtual threads, or stopped) or PARKED past keepAlive -> LEFT:
 * stops counting itself, then, under the lock, stays (SPINNING) if the
 * queue is not empty and the pool runs, else leaves the live list, fences
 * and re-reads the queue: not empty, it signals a worker.
 * </ul>
 * <b>No lost wake-up</b> (Dekker): a producer offers, issues a full fence
 * (the queue's element store is only a release store) and reads
 * {@code stopped}, {@code spinning}, {@code idle} and {@code live}; a worker
 * leaving a state writes the counter (every write is a volatile write or
 * read-modify-write), issues a full fence and reads the queue. In the total
 * order of these synchronization actions one of the two comes second and
 * sees the other: the worker sees the job (and goes on looking, or signals),
 * or the producer sees that no one will, and wakes or starts a worker. A
 * worker only ever leaves SPINNING, PARKED or the live list this way, and a
 * RUNNING worker polls again after its job; so a queued job always has a
 * worker that will poll after it was queued, or the pool is at its maximum
 * with every worker running and due to poll.
 * <p>
 * <b>Life:</b> running until {@link #stop(Duration)}; then {@code execute}
 * refuses, every job that never started is
 * {@linkplain AbandonableJob#abandon abandoned} exactly once (stop drains the
 * queue; an {@code execute} that queued its job before seeing
 * {@code stopped} drains it too; a worker that takes a job after
 * {@code stopped} abandons it; polling is exclusive, so each job is run or
 * abandoned, once), running jobs are interrupted, parked workers woken, and
 * stop waits until every worker thread has ended. No worker is started after
 * stop(): starting and stopping decide under one lock.
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
