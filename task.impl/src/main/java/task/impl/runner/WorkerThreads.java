package task.impl.runner;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;

import task.api.ThreadRunner;
import task.impl.log.Reporter;

/**
 * The thread runner: a pool of named platform daemon worker threads,
 * {@code maxPlatformThreads} running jobs at once unless some block (below);
 * where the JVM has virtual threads (and unless configured off), at most one
 * platform worker per core, and a virtual thread for each job that finds
 * every platform worker waiting ("Overflow", below). The queue is unbounded:
 * a job waits for a thread, it is never refused while the runner runs.
 * <p>
 * <b>Design</b> ({@link WorkerPool}, {@link Worker}): one lock-free MPMC
 * queue of jobs ({@link JobQueue}: JCTools' bounded array, no node per job,
 * and the JDK's {@code ConcurrentLinkedQueue} when it is full; no
 * {@code sun.misc.Unsafe}). A worker runs jobs
 * while the queue has some, then spins briefly (polls with
 * {@code onSpinWait}, then with {@code yield}: tens of microseconds; at most
 * {@code WorkerPool.maxSpinners} workers spin at once, the others poll
 * once; on two cores workers never spin), then
 * parks (platform threads, up to keepAlive, then it leaves) or leaves
 * (virtual overflow threads). A producer offers its job and
 * then does as little as it can: if a worker is spinning, nothing; else it
 * wakes one parked worker; else it starts a platform one (below the
 * limit); else, with overflow threads, it starts a virtual one if a platform
 * worker waits; else it arms the starvation watch. An event
 * context's own thread ({@link HeldWakeups}) holds that wake-up until its
 * batch of events ends: one per batch, not one per job.
 * <p>
 * <b>Priorities</b> ({@link #execute(Runnable, int)}, GLib's
 * {@code g_task_set_priority}): a job of {@link task.api.Priority#DEFAULT}
 * takes the queue above, exactly as {@link #execute(Runnable)}; any other
 * goes to a second queue, a lock-guarded heap ordered by priority and then
 * arrival, whose size is a volatile count. Workers poll through
 * {@code WorkerPool.poll}: while that count is 0 (a pool that never sees a
 * priority) it is the FIFO queue's poll alone; else a job above the default
 * (a lower number) is taken before any default job, and one below only
 * when the FIFO queue is empty. Wherever the argument below reads "the
 * queue", it reads both: the count is written (a volatile write) after the
 * job is added, and re-read where the queue is. So priorities order the
 * jobs waiting for a thread, FIFO within a priority: the jobs that find
 * every platform thread busy (the pool at its limit). With overflow
 * threads, jobs wait only while the platform workers compute; behind
 * waiting ones each gets a virtual thread, and those run at once, so they
 * are not ordered (a new thread takes the best job queued). A priority never preempts a
 * running job and is not a thread priority. Nothing stops a steady stream
 * of higher-priority jobs from starving lower ones, as in GLib.
 * <p>
 * <b>Worker states:</b> RUNNING a job; BLOCKED, a RUNNING platform worker
 * inside a {@link ManagedBlocking} wait, counted in {@code blocked};
 * SPINNING, counted in {@code spinning}; PARKED, on the lock-guarded idle
 * stack, counted in {@code idle}; LEFT, off the live list (whose length is
 * {@code live}).
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
 * <li>RUNNING -> BLOCKED: the runtime is about to park it (waitThread,
 * awaitFinished): counts itself blocked, fences, re-reads the queue and, if
 * a job is queued and no one spins, signals. BLOCKED -> RUNNING: stops
 * counting itself blocked (it only lowers the limit: no signal).
 * <li>SPINNING -> PARKED: pushes itself idle, then stops counting spinning,
 * fences and re-reads the queue: not empty, it takes itself back.
 * <li>PARKED -> SPINNING: popped by a producer or by stop(), or its own
 * re-read above.
 * <li>SPINNING (a virtual overflow worker, or stopped) or PARKED past keepAlive -> LEFT:
 * stops counting itself, then, under the lock, stays (SPINNING) if the
 * queue is not empty and the pool runs, else leaves the live list (and
 * clips {@code grown}, below), fences and re-reads the queue: not empty, it
 * signals a worker.
 * </ul>
 * <b>Limit, hard cap, growth</b> (platform threads; virtual overflow threads have no
 * limit). A platform thread is started only while {@code live < limit}
 * ({@code live}: the live platform workers), decided under the lock, where
 * {@code limit = min(hardCap, maxPlatformThreads + blocked + grown)} and
 * {@code hardCap = maxPlatformThreads + maxExtraThreads}. So no more than
 * {@code hardCap} worker threads are ever alive. By default 64 + 256, the
 * spare threads the JDK's common ForkJoinPool allows for
 * {@code managedBlock}: a fixed number rather than a multiple of the pool,
 * since what it bounds is what the machine affords (stacks, kernel
 * threads), not the pool's parallelism. 0 extra threads: a strict bound of
 * {@code maxPlatformThreads}, no compensation, no watch.
 * <ul>
 * <li>Compensation: each BLOCKED worker raises the limit by one while it
 * blocks, so that a worker waiting for a task it started (GLib's nested
 * task) lets that task run even in a full pool; that is what
 * {@code ForkJoinPool.managedBlock} does. Virtual overflow workers need
 * none: a blocked virtual thread holds no carrier (the JDK's scheduler
 * compensates for the waits that pin one). At the hard cap a blocked worker gets no
 * thread: more than {@code maxExtraThreads} workers waiting at once for
 * tasks queued behind them wait until a thread is free.
 * <li>Growth for jobs that wait outside the runtime (a sleep, a latch, a
 * lock, a future's get): a producer that finds the pool at its limit with
 * a job queued arms the watch, a lazily started thread
 * ({@code namePrefix + "watch"}). Every 5 ms while jobs are queued it lists
 * the workers not parked and reads their thread states; a worker seen
 * {@code WAITING}, {@code TIMED_WAITING} or {@code BLOCKED} at two looks in
 * a row, outside a managed wait, counts as waiting, and {@code grown} is
 * raised to that count (at most to the cap), so that {@code maxPlatformThreads}
 * workers may run besides the waiting ones; then it signals, and each
 * worker started, the last spinner as it takes a job, signals the next (the
 * rule above). This is {@code ForkJoinPool.managedBlock}'s compensation for
 * waits that do not announce themselves, found the way the JDK's scheduler
 * finds a pinned virtual thread: by looking. A pool whose 64 workers sleep
 * gets 64 more within 10 ms, and so on to the hard cap. A wait in a
 * blocking read of a socket or a file shows as {@code RUNNABLE}: for those,
 * and for jobs that compute for long, the watch also watches for starvation
 * (GLib's {@code task_pool_manager}, gio/gtask.c): it clears a flag
 * ({@code taken}, which a worker sets as it runs a job, only if clear: the
 * hot path only reads it) as each interval begins and, if jobs are still
 * queued after it and none was taken, adds one to {@code grown} (while below
 * the cap) and signals. The interval is {@code starvationInterval} (1 s by
 * default), doubled for each thread grown, up to 64 times the base (GLib
 * multiplies its wait by 1.03 per thread): a short burst of such blocking
 * gets help within seconds, a long one grows by a thread a minute at most.
 * Like GLib's, that fallback cannot tell a blocked worker from a busy one;
 * {@code maxExtraThreads} 0 turns all growth off. Queue empty at a look:
 * the watch disarms (fence, re-read: a producer that saw it armed armed
 * nothing) and, idle for keepAlive, its thread ends.
 * <li>Shrinking: nothing is stopped when a block ends or a starvation is
 * over. Surplus threads (live above the limit) run and park like any other,
 * so until then the pool may run up to {@code live} jobs at once; a thread
 * idle for keepAlive leaves, and each leave clips {@code grown} to
 * {@code max(0, live - maxPlatformThreads - blocked)}: the growth the
 * remaining threads no longer fill is given up, and must be earned again
 * (seen waiting, or starving).
 * </ul>
 * <b>Overflow</b> (the default where the JVM has virtual threads): at most
 * {@code min(maxPlatformThreads, processors)} platform workers, no extra
 * platform threads (a hard cap of that many); virtual threads take the
 * place of compensation and growth. A producer (or the last spinner handing
 * the queue on) that finds the platform workers at their limit reads their
 * thread states: one that waits ({@code WAITING}, {@code TIMED_WAITING},
 * {@code BLOCKED}) gets the job a virtual overflow worker, which runs jobs
 * while the queue has some and then leaves, never parks. So each job queued
 * behind waiting workers gets a thread, started by the last one as it takes
 * its job: 100,000 sleeping jobs run at once, as with a virtual thread per
 * job. A platform worker entering a managed wait ({@code waitThread}: the
 * limit cannot rise here) starts one at once for what is queued behind it.
 * Otherwise the watch is armed: a platform worker seen waiting, or still
 * in the same job, at two looks (5-10 ms) starts a virtual worker instead
 * of compensating or growing. The same job at two looks catches what thread
 * states do not show (a blocking socket read or a name lookup reads
 * {@code RUNNABLE}), as Go's scheduler hands a thread's processor on after
 * a syscall of more than a few milliseconds; a long computation counts
 * too, and then shares the cores with virtual workers, as GLib's pool
 * grows for it. Why not a virtual thread per job: a short job's
 * round trip then pays the JDK scheduler's hand-off to a carrier thread it
 * must wake, on top of the wake-up a parked platform worker costs (measured
 * on two cores: a median of 23 us against 6 us); compute-bound jobs also
 * run on no more platform threads than cores, as the JDK's scheduler would
 * run them. A platform worker's thread that waits is a cost only while it
 * waits: it is seen at once by the next producer, within 10 ms by the watch.
 * <p>
 * <b>No lost wake-up</b> (Dekker): a producer offers, issues a full fence
 * (the queue promises happens-before only, not a sequentially consistent
 * offer) and reads
 * {@code stopped}, {@code spinning}, {@code idle}, {@code live},
 * {@code blocked}, {@code grown} and {@code watching}; a worker leaving a
 * state (or raising the limit by blocking) writes the counter (every write
 * is a volatile write or read-modify-write), issues a full fence and reads
 * the queue. In the total
 * order of these synchronization actions one of the two comes second and
 * sees the other: the worker sees the job (and goes on looking, or signals),
 * or the producer sees that no one will, and wakes or starts a worker. A
 * worker only ever leaves SPINNING, PARKED or the live list this way, and a
 * RUNNING worker polls again after its job; so a queued job always has a
 * worker that will poll after it was queued, or the pool is at its limit
 * with every worker running (or blocked) and due to poll, and then the watch
 * is armed (the producer armed it, or it was armed and re-reads the queue
 * after it disarms): workers seen waiting are compensated within 10 ms,
 * and once no job at all is taken for a whole interval the pool grows by
 * one, unless it is at its hard cap. With overflow threads the producer at
 * the limit either starts a virtual worker (which polls, counted spinning,
 * as any started worker) or arms the watch, which starts one instead of
 * compensating or growing: overflow workers are not limited, so the watch
 * always gets its thread.
 * <p>
 * <b>Life:</b> running until {@link #stop(Duration)}; then {@code execute}
 * refuses, every job that never started is
 * {@linkplain AbandonableJob#abandon abandoned} exactly once (stop drains the
 * queue; an {@code execute} that queued its job before seeing
 * {@code stopped} drains it too; a worker that takes a job after
 * {@code stopped} abandons it; polling is exclusive, so each job is run or
 * abandoned, once), running jobs are interrupted, parked workers and the
 * watch woken, and stop waits until every worker thread and the watch's
 * thread have ended. No worker or watch is started after stop(): starting
 * and stopping decide under one lock. An idle pool costs no CPU: parked
 * workers and the idle watch wait in timed parks of keepAlive.
 * <p>
 * <b>Happens-before:</b> {@code execute} happens-before the job runs (the
 * queue's memory consistency effects: offering an element happens-before
 * its removal by another thread).
 */
public final class WorkerThreads implements ThreadRunner {
    /**
     * Threads a platform pool may add beyond {@code maxPlatformThreads} by
     * default: the spare threads the JDK's common {@code ForkJoinPool} allows
     * for {@code managedBlock} ({@code maximumSpares}), four times the
     * default pool of 64.
     */
    public static final int DEFAULT_MAX_EXTRA_THREADS = 256;
    /** How long, by default, no queued job may be taken before a platform pool grows, in milliseconds. */
    public static final int DEFAULT_STARVATION_MILLIS = 1_000;

    private final WorkerPool pool;
    private final boolean virtual;

    private WorkerThreads(WorkerPool pool, boolean virtual) {
        this.pool = pool;
        this.virtual = virtual;
    }

    /**
     * Starts a runner with {@link #DEFAULT_MAX_EXTRA_THREADS} and
     * {@link #DEFAULT_STARVATION_MILLIS}; see
     * {@link #start(String, boolean, int, int, Duration, Duration, Reporter)}.
     *
     * @param namePrefix prefix of the worker threads' names, numbered from 0; not null
     * @param preferVirtual overflow to virtual threads where the JVM has them
     * @param maxPlatformThreads the platform threads that run jobs at once, at least 1 (with
     *        virtual threads at most one per core)
     * @param keepAlive how long an idle platform thread lives, positive; not null
     * @param reporter where failures that escape a job go; not null
     * @return the running runner
     * @throws IllegalArgumentException if a size or duration is out of range
     * @throws NullPointerException if an argument is null
     */
    public static WorkerThreads start(String namePrefix, boolean preferVirtual, int maxPlatformThreads,
            Duration keepAlive, Reporter reporter) {
        return start(namePrefix, preferVirtual, maxPlatformThreads, DEFAULT_MAX_EXTRA_THREADS,
                Duration.ofMillis(DEFAULT_STARVATION_MILLIS), keepAlive, reporter);
    }

    /**
     * Starts a runner; its threads start on demand. Any thread.
     *
     * @param namePrefix prefix of the worker threads' names, numbered from 0; the
     *        starvation watch's thread is {@code namePrefix + "watch"}; not null
     * @param preferVirtual overflow to virtual threads where the JVM has them (see "Overflow")
     * @param maxPlatformThreads the platform threads that run jobs at once, at least 1 (with
     *        virtual threads at most one per core)
     * @param maxExtraThreads the platform threads allowed beyond {@code maxPlatformThreads} for
     *        workers blocked in the runtime and for starvation, at least 0 (0: a strict bound,
     *        neither compensation nor growth); the hard cap is the sum, at most
     *        {@code Integer.MAX_VALUE}; unused with virtual threads, which take their place
     * @param starvationInterval how long queued jobs may wait with none taken before a platform
     *        pool adds a thread (doubling per thread added), positive; not null
     * @param keepAlive how long an idle platform thread lives, positive; not null
     * @param reporter where failures that escape a job go; not null
     * @return the running runner
     * @throws IllegalArgumentException if a size or duration is out of range
     * @throws NullPointerException if an argument is null
     */
    public static WorkerThreads start(String namePrefix, boolean preferVirtual, int maxPlatformThreads,
            int maxExtraThreads, Duration starvationInterval, Duration keepAlive, Reporter reporter) {
        Objects.requireNonNull(namePrefix, "namePrefix");
        Objects.requireNonNull(reporter, "reporter");
        Objects.requireNonNull(starvationInterval, "starvationInterval");
        if (maxPlatformThreads < 1) {
            throw new IllegalArgumentException("thread runner: maxPlatformThreads must be at least 1, got "
                    + maxPlatformThreads);
        }
        if (maxExtraThreads < 0 || (long) maxPlatformThreads + maxExtraThreads > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("thread runner: maxExtraThreads must be at least 0 and at most "
                    + (Integer.MAX_VALUE - maxPlatformThreads) + ", got " + maxExtraThreads);
        }
        if (keepAlive.isNegative() || keepAlive.isZero()) {
            throw new IllegalArgumentException("thread runner: keepAlive must be positive, got " + keepAlive);
        }
        if (starvationInterval.isNegative() || starvationInterval.isZero()) {
            throw new IllegalArgumentException("thread runner: starvationInterval must be positive, got "
                    + starvationInterval);
        }
        Optional<ThreadFactory> virtual = preferVirtual ? VirtualThreads.factory(namePrefix + "virtual-")
                : Optional.empty();
        WorkerPool pool = virtual.isPresent()
                ? new WorkerPool(namePrefix, reporter, virtual.get(),
                        Math.min(maxPlatformThreads, Runtime.getRuntime().availableProcessors()), 0,
                        keepAlive.toNanos(), nanos(starvationInterval))
                : new WorkerPool(namePrefix, reporter, null, maxPlatformThreads, maxExtraThreads,
                        keepAlive.toNanos(), nanos(starvationInterval));
        return new WorkerThreads(pool, virtual.isPresent());
    }

    /** @return {@code duration} in nanoseconds, saturated (a positive duration of centuries stays positive) */
    private static long nanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Runs {@code job} on a worker thread, as {@link ThreadRunner#execute} says.
     * <p>
     * Any thread. Lock-free unless no worker is spinning (then it wakes or
     * starts one).
     */
    @Override
    public void execute(Runnable job) {
        pool.execute(Objects.requireNonNull(job, "job"));
    }

    /**
     * Runs {@code job} on a worker thread, ordered by {@code priority} among
     * the jobs waiting for one, as {@link ThreadRunner#execute(Runnable, int)}
     * says (see "Priorities" above).
     * <p>
     * Any thread. {@link task.api.Priority#DEFAULT}: {@link #execute(Runnable)};
     * another priority takes the priority queue's lock once.
     */
    @Override
    public void execute(Runnable job, int priority) {
        pool.execute(Objects.requireNonNull(job, "job"), priority);
    }

    @Override
    public boolean usesVirtualThreads() {
        return virtual;
    }

    /**
     * The jobs queued or running, as {@link ThreadRunner#activeCount} says.
     * <p>
     * Approximate: jobs queued plus workers neither spinning nor parked, read
     * without a lock; a worker between two states may count as running.
     */
    @Override
    public int activeCount() {
        return pool.activeCount();
    }

    /**
     * The runner now, for {@link task.api.TaskInspector#stats()}: threads
     * alive, threads running a job (live threads neither spinning nor
     * parked) and jobs queued. Approximate, without a lock (the counters are
     * read one after the other; the queue's size walks it). Any thread.
     *
     * @return not null
     */
    public task.api.metrics.RunnerStats stats() {
        int queued = pool.queue.size();
        int live = pool.liveThreads();
        int busy = Math.max(0, Math.min(live, pool.activeCount() - queued));
        return new task.api.metrics.RunnerStats(virtual, live, busy, queued);
    }

    /**
     * The worker threads alive now (platform threads: at most the hard cap).
     * Approximate, without a lock. Any thread; for tests and diagnostics.
     *
     * @return zero or more
     */
    int liveThreads() {
        return pool.liveThreads();
    }

    /**
     * The threads the pool may have alive now before it refuses to start
     * another (see the class comment). Approximate, without a lock. Any
     * thread; for tests and diagnostics.
     *
     * @return at least {@code maxPlatformThreads}, at most the hard cap
     */
    int threadLimit() {
        return pool.threadLimit();
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
