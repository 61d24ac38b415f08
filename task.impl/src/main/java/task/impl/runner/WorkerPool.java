package task.impl.runner;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import task.api.Priority;
import task.impl.log.Reporter;

/**
 * The pool behind {@link WorkerThreads}: the queue of jobs, the counters the
 * producers read, and the decisions taken under the lock that guards the
 * {@link Roster} of workers. The workers' own loop is in {@link Worker}; the
 * design, its states and its happens-before argument are in
 * {@link WorkerThreads}.
 * <p>
 * Threading: {@link #execute}, {@link #signal}, {@link #activeCount} and
 * {@link #stop} from any thread; the methods taking a worker, and
 * {@link #blockBegins}/{@link #blockEnds}, from that worker's thread; the
 * starvation watch on its own thread. The lock is only taken on slow paths:
 * starting, parking, waking and retiring a worker, arming, growing and
 * retiring the watch, and stopping.
 */
final class WorkerPool {
    /**
     * The starvation interval doubles with each thread growth added, up to
     * 2^6 = 64 times the base: a pool starved for long still grows, one
     * thread per 64 intervals, up to its hard cap.
     */
    private static final int MAX_DOUBLINGS = 6;
    /**
     * How often the armed watch looks at its workers' thread states: a
     * worker seen waiting at two looks in a row (so for 5 to 10 ms) is
     * compensated. Shorter waits are left to the workers; the looks cost the
     * watch a lock hold and a state read per worker, only while armed.
     */
    private static final long LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /**
     * The jobs not yet taken. Many producers, many consumers (the workers,
     * and stop() or a producer that meets a stop, which drain it): a
     * {@link JobQueue}, JCTools' bounded MPMC array (no node per job), with
     * the JDK's {@code ConcurrentLinkedQueue} behind it when it is full.
     * What the pool relies on: polling is exclusive, so each job is taken
     * once; an offer happens-before the poll that takes its job; isEmpty()
     * after an offer and a full fence (ours: the queues only promise
     * happens-before) sees that job unless it was taken.
     */
    final JobQueue queue = new JobQueue();
    /**
     * The jobs not yet taken whose priority is not {@link Priority#DEFAULT}
     * (GLib's {@code g_task_set_priority}; default jobs take {@link #queue}),
     * best first ({@link Prioritized}: priority, then arrival). Rarely used,
     * so simply guarded by its own monitor, which also guards
     * {@code prioritizedArrivals}. {@link #prioritizedCount} is its size,
     * written under that monitor after each change, read by everyone
     * without it: a pool that never sees a priority reads a 0 there and
     * takes {@link #queue} exactly as before. Polled by {@link #poll}: a
     * job of a priority above the default (a lower number) is taken before
     * any default job, one below only when {@link #queue} is empty.
     */
    private final PriorityQueue<Prioritized> prioritized = new PriorityQueue<>();
    /** Numbers the prioritized jobs in their order of arrival; guarded by {@link #prioritized}. */
    private long prioritizedArrivals;
    /**
     * The size of {@link #prioritized}: a volatile write under its monitor,
     * after the job is added (so a reader that sees it non-zero finds the job
     * under the monitor) and after one is taken (so it never counts more
     * jobs than are there, only, for an instant, fewer). Producers read the
     * workers' state after writing it and a full fence, workers read it after
     * writing theirs and a full fence: the same Dekker as {@link #queue}'s
     * (see {@link WorkerThreads}).
     */
    private volatile int prioritizedCount;
    /** Workers looking for work: not running a job, not parked. */
    final AtomicInteger spinning = new AtomicInteger();
    /**
     * The most workers spinning at once, the asking one included; the others
     * poll once and park or leave. A spinner holds a core the producers (the
     * event loops, which spin briefly themselves) need, so workers spin only
     * where cores are left over: one per two cores beyond the first two, none
     * on two cores. Measured there, with the round-trip benchmark: a spinning
     * platform worker doubled the median latency, and a spinning virtual
     * worker halved its latency but halved the throughput too; an event
     * loop's batched wake-ups (see HeldWakeups) keep parked workers cheap.
     * The bound also keeps a burst of blocked virtual workers waking together
     * from each spinning in turn (Go's scheduler bounds its spinners likewise).
     */
    final int maxSpinners;
    /** How long a parked worker waits for work before it leaves, in nanoseconds. */
    final long keepAliveNanos;
    /** Set once, under {@link #lock}; read by everyone without it. */
    volatile boolean stopped;
    /**
     * Workers inside a {@link ManagedBlocking} wait (platform threads only):
     * each raises the thread limit by one. Written by the blocking worker
     * (a volatile read-modify-write, then a fence before it reads the queue).
     */
    final AtomicInteger blocked = new AtomicInteger();

    private final String namePrefix;
    private final Reporter reporter;
    /**
     * Makes the virtual threads of the jobs that find every platform worker
     * waiting (the default where the JVM has virtual threads; see
     * {@link WorkerThreads}, "Overflow"); null for a pool of platform threads
     * only. Platform workers are daemon threads this pool makes.
     */
    private final ThreadFactory overflowThreads;
    /** The platform threads that run jobs at once when none blocks and none was added for starvation. */
    private final int maxThreads;
    /** The most threads alive at once, whatever blocks: {@code maxThreads} + the extra threads allowed. */
    private final int hardCap;
    /** Whether the pool may add platform threads for waiting workers and starvation (extra threads allowed). */
    private final boolean grows;
    /** Whether the starvation watch runs: the pool grows, or overflows to virtual threads. */
    private final boolean watches;
    /** The starvation watch's base interval, in nanoseconds. */
    private final long starvationNanos;
    /**
     * Threads added for starvation, beyond {@code maxThreads}: written under
     * {@link #lock} (raised by the watch, clipped as threads leave), read by
     * producers without it.
     */
    private volatile int grown;
    /**
     * A job was taken since the starvation watch began its interval: cleared
     * by the watch as an interval begins, set by a worker as it runs a job,
     * only if clear. So the hot path only reads it (a cache line that stays
     * shared while the flag is set), and it is written once per interval at
     * most: the starvation watch's view of progress, as a queue's consumer
     * index would be (this queue has none). A job is marked just after its
     * poll: one polled before the watch clears the flag and marked after it
     * counts in the new interval (growth comes an interval later), one
     * polled but not yet marked when the interval ends does not (its worker
     * was descheduled in between: it was not running the job either).
     */
    private volatile boolean taken;
    /**
     * The starvation watch is armed: a producer found the pool at its limit
     * with a job queued. Set by CAS (false -> true) by producers, cleared by
     * the watch when it finds the queue empty.
     */
    private final AtomicBoolean watching = new AtomicBoolean();
    /** Numbers the watch's looks at the workers; the watch's thread only. */
    private long looks;
    /** The workers listed for a look, reused; the watch's thread only. */
    private final List<Worker> looked = new ArrayList<>();
    /** The watch's thread while it lives; guarded by {@link #lock}. */
    private Thread watcher;
    /** Numbers platform threads' names; guarded by {@link #lock}. */
    private long threadNumber;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}, but for its counts. */
    private final Roster roster = new Roster();

    /**
     * A pool with no worker yet.
     *
     * @param namePrefix the prefix of the worker threads' names, numbered from 0
     * @param reporter where failures that escape a job go
     * @param overflowThreads makes a virtual thread for each job that finds every platform worker
     *        waiting, which leaves when idle; null for platform threads only
     * @param maxThreads the platform threads that run jobs at once, which park when idle
     * @param maxExtraThreads the platform threads allowed beyond {@code maxThreads} for blocked
     *        workers and starvation, 0 or more, with {@code maxThreads + maxExtraThreads <= Integer.MAX_VALUE}
     *        (with {@code overflowThreads}: 0, the virtual threads take their place)
     * @param keepAliveNanos how long a parked worker (or the idle watch) waits before it leaves
     * @param starvationNanos how long no job may be taken from a non-empty queue before the pool grows
     */
    WorkerPool(String namePrefix, Reporter reporter, ThreadFactory overflowThreads, int maxThreads,
            int maxExtraThreads, long keepAliveNanos, long starvationNanos) {
        this.namePrefix = namePrefix;
        this.reporter = reporter;
        this.overflowThreads = overflowThreads;
        int cores = Runtime.getRuntime().availableProcessors();
        this.maxSpinners = Math.max(0, (cores - 2) / 2);
        this.maxThreads = maxThreads;
        this.hardCap = maxThreads + maxExtraThreads;
        this.grows = maxExtraThreads > 0;
        this.watches = grows || overflowThreads != null;
        this.keepAliveNanos = keepAliveNanos;
        this.starvationNanos = starvationNanos;
    }

    /**
     * Queues a job and makes sure a worker will take it: a spinning worker
     * will, else a parked one is woken, else one is started (if allowed).
     * Any thread.
     *
     * @param job the job
     * @throws RejectedExecutionException if the pool was stopped before the
     *         job was queued; once queued, a job that meets a stop is
     *         abandoned instead, never both
     */
    void execute(Runnable job) {
        if (stopped) {
            throw refused();
        }
        queue.offer(job);
        queued();
    }

    /**
     * Queues a job with a priority, as {@link #execute(Runnable)} does: a
     * {@link Priority#DEFAULT} job takes that very path; any other goes to
     * the priority queue, which workers consult before the FIFO queue only
     * while it holds a job. Any thread.
     *
     * @param job the job
     * @param priority its priority: a lower number is taken first
     * @throws RejectedExecutionException as {@link #execute(Runnable)}
     */
    void execute(Runnable job, int priority) {
        if (priority == Priority.DEFAULT) {
            execute(job);
            return;
        }
        if (stopped) {
            throw refused();
        }
        Prioritized entry = new Prioritized(job, priority);
        synchronized (prioritized) {
            entry.sequence = prioritizedArrivals++;
            prioritized.add(entry);
            prioritizedCount = prioritized.size();
        }
        queued();
    }

    /** After a job was queued (either queue): makes sure a worker will take it. */
    private void queued() {
        // Dekker with the workers and stop(): offer, full fence, read their
        // state; they write their state, fence, read the queue. The queue
        // promises no sequentially consistent offer, hence the explicit fence.
        VarHandle.fullFence();
        if (stopped) {
            // stop() may have drained before our offer: drain too. Polling is
            // exclusive, so whoever polls the job abandons it, once.
            abandonQueued();
        } else if (spinning.get() == 0) {
            // An event context's thread in a batch holds the wake-up until
            // the batch ends (see HeldWakeups): once per batch, not per job.
            if (!HeldWakeups.holdOnThisThread(this)) {
                signal();
            }
        }
    }

    /**
     * A held wake-up, given: signals unless the held jobs are taken or a
     * worker spins. The jobs were queued (each offer fenced) before this
     * reads {@code spinning}, so the Dekker argument of {@link #execute}
     * holds. On the batching thread that held it.
     */
    void signalIfStillNeeded() {
        if (hasQueued() && spinning.get() == 0 && !stopped) {
            signal();
        }
    }

    /**
     * Gets one more worker to look at the queue: wakes a parked one, else
     * starts a platform one if allowed (not stopped, below the limit), else,
     * with overflow threads, starts a virtual one if a platform worker waits,
     * else arms the starvation watch. Any thread.
     */
    void signal() {
        if (roster.idle() > 0 && wakeOne()) {
            return;
        }
        // A full pool is seen without the lock: a worker leaving re-reads the
        // queue after `live` drops (see afterLeaving), one entering a managed
        // block after `blocked` rises (see blockBegins), the watch signals
        // after `grown` rises.
        if (roster.platformLive() < limit()) {
            startWorker(false);
        } else if (overflowThreads != null && aPlatformWorkerWaits()) {
            startWorker(true);
        } else if (watches && !watching.get()) {
            armWatch();
        }
    }

    /**
     * Whether a platform worker's thread waits now (parked, sleeping, in
     * {@code wait}, entering a monitor): a job queued behind it would wait
     * for a wait of unknown length. A state read per platform worker, without
     * the lock: a worker parking or just woken may read as waiting, which
     * costs a virtual thread that finds the queue empty and leaves; one that
     * starts waiting after this read is seen by the watch (armed otherwise).
     * Any thread.
     */
    private boolean aPlatformWorkerWaits() {
        for (Thread thread : roster.platformThreads()) {
            if (waits(thread.getState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The live threads allowed now: {@code maxThreads}, plus one per worker
     * blocked in the runtime, plus those added for starvation, never above
     * the hard cap. Long arithmetic: no overflow. Any thread, without the lock.
     */
    private int limit() {
        return (int) Math.min(hardCap, (long) maxThreads + blocked.get() + grown);
    }

    /**
     * A worker enters a {@link ManagedBlocking} wait: counted blocked, which
     * raises the limit by one, then a worker is got for any queued job. With
     * overflow threads the limit stays (no extra platform threads), and the
     * job gets a virtual worker at once unless a parked one is woken: the
     * caller is about to wait, though its thread state does not show it
     * yet. Dekker as in {@link #afterLeaving}: {@code blocked} written,
     * fence, queue read here; offer, fence, the limit (and the workers'
     * states, where this thread waits by then) read in {@link #signal}.
     * Worker thread.
     */
    void blockBegins() {
        blocked.incrementAndGet();
        VarHandle.fullFence();
        if (overflowThreads == null) {
            signalIfStillNeeded();
        } else if (hasQueued() && spinning.get() == 0 && !stopped && !(roster.idle() > 0 && wakeOne())) {
            startWorker(true);
        }
    }

    /**
     * The worker's managed wait is over: no longer counted blocked. The pool
     * may now have a thread more than its limit; it is not stopped, it parks
     * when idle and leaves after keepAlive. Worker thread.
     */
    void blockEnds() {
        blocked.decrementAndGet();
    }

    /** @return true if a parked worker was taken off the stack, counted spinning and unparked */
    private boolean wakeOne() {
        Worker worker;
        lock.lock();
        try {
            worker = roster.popIdle();
            if (worker == null) {
                return false;
            }
            // Counted before it runs, so that other producers rely on it
            // instead of waking more workers for the same jobs.
            spinning.incrementAndGet();
            worker.woken = true;
        } finally {
            lock.unlock();
        }
        LockSupport.unpark(worker.thread);
        return true;
    }

    /**
     * Starts a worker, counted spinning, unless stopped or (a platform
     * worker) at the limit. Under the lock that stop() takes to set
     * {@code stopped} and list the workers: a worker is either refused or
     * started where stop() sees it. A thread that cannot be made or started
     * is reported, never thrown (the job is queued already and must not also
     * be refused); it stays queued for the next worker.
     *
     * @param overflow a virtual overflow worker, not limited; else a platform one
     */
    private void startWorker(boolean overflow) {
        Throwable failure;
        lock.lock();
        try {
            if (stopped || (!overflow && roster.platformLive() >= limit())) {
                return;
            }
            failure = startLocked(overflow);
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            reporter.warn("thread runner: cannot start a worker thread", failure);
        }
    }

    /** A platform worker's thread: a daemon thread that keeps nothing of ours once it ends ({@link PlainThreads}). */
    private Thread platformThread(Worker worker) {
        return PlainThreads.newDaemon(worker, namePrefix + threadNumber++);
    }

    /** @return null once started, else why it could not be (nothing changed then) */
    private Throwable startLocked(boolean overflow) {
        Worker worker;
        try {
            worker = new Worker(this, overflow);
            worker.thread = overflow ? overflowThreads.newThread(PlainThreads.droppedOnceRun(worker))
                    : platformThread(worker);
        } catch (Throwable cannotMake) {
            return cannotMake;
        }
        roster.add(worker);
        spinning.incrementAndGet();
        try {
            worker.thread.start();
            return null;
        } catch (Throwable cannotStart) {
            roster.remove(worker);
            spinning.decrementAndGet();
            return cannotStart;
        }
    }

    /**
     * Pushes {@code worker}, spinning, on the idle stack, unless stopped.
     * Worker thread; the caller then stops counting itself spinning.
     *
     * @param worker the calling worker
     * @return false if stopped (nothing changed)
     */
    boolean pushIdle(Worker worker) {
        lock.lock();
        try {
            if (stopped) {
                return false;
            }
            worker.woken = false;
            roster.pushIdle(worker);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes {@code worker} back off the idle stack to look for work again,
     * counted spinning; if a producer or stop() has already taken it, they
     * counted it. Worker thread.
     *
     * @param worker the calling worker, pushed by {@link #pushIdle}
     */
    void resume(Worker worker) {
        lock.lock();
        try {
            if (!worker.woken) {
                roster.removeIdle(worker);
                spinning.incrementAndGet();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The keepAlive of a parked worker has passed: it leaves the idle stack
     * and then the pool, unless it was woken meanwhile or work is queued.
     * Worker thread.
     *
     * @param worker the calling worker, pushed by {@link #pushIdle}
     * @return true if it must look for work again (counted spinning), false if it has left
     */
    boolean expire(Worker worker) {
        return leave(worker, true);
    }

    /**
     * A worker counted neither spinning nor idle leaves the pool, unless
     * work is queued and the pool runs. Worker thread; the caller has fenced
     * after it stopped counting itself spinning.
     *
     * @param worker the calling worker
     * @return true if it must look for work again (counted spinning), false if it has left
     */
    boolean leave(Worker worker) {
        return leave(worker, false);
    }

    /** {@link #expire} ({@code parked}: off the idle stack first) or {@link #leave}, in one hold of the lock. */
    private boolean leave(Worker worker, boolean parked) {
        lock.lock();
        try {
            if (parked) {
                if (worker.woken) {
                    return true;
                }
                roster.removeIdle(worker);
            }
            if (stays(worker)) {
                return true;
            }
        } finally {
            lock.unlock();
        }
        afterLeaving();
        return false;
    }

    /**
     * Under the lock: keeps {@code worker}, counted spinning, if work is
     * queued and the pool runs; else takes it off the live list, its thread
     * kept for stop() to join.
     *
     * @return true if it stays
     */
    private boolean stays(Worker worker) {
        if (!stopped && hasQueued()) {
            spinning.incrementAndGet();
            return true;
        }
        roster.leave(worker);
        if (grown > 0) {
            // The pool shrinks back: growth the remaining threads no longer
            // fill is given up, and a later starvation must earn it again.
            grown = Math.max(0, Math.min(grown, roster.platformLive() - maxThreads - blocked.get()));
        }
        return false;
    }

    /**
     * After a worker left: a producer that read {@code live} before it
     * dropped found the pool full and left its job to the workers. Dekker:
     * {@code live} written, fence, queue read here; offer, fence,
     * {@code live} read there. One of us sees the other; here, by starting
     * or waking a worker for the job.
     */
    private void afterLeaving() {
        VarHandle.fullFence();
        if (!stopped && hasQueued()) {
            signal();
        }
    }

    // ------------------------------------------------------------------ starvation watch

    /*
     * The watch's states: ABSENT (no thread; `watcher` null), IDLE (its
     * thread parked, `watching` false), WATCHING (`watching` true; it parks
     * one interval at a time, clearing `taken` as each begins).
     *   ABSENT/IDLE -> WATCHING: a producer's signal found the pool at its
     *     limit (armWatch: CAS, then under the lock start or unpark the thread).
     *   WATCHING -> WATCHING: every 5 ms (LOOK_NANOS) the queue is not empty:
     *     workers seen waiting at two looks in a row are compensated
     *     (compensateWaiting); after an interval, if no job was taken during
     *     it, one thread is added (grow).
     *   WATCHING -> IDLE: at a look the queue is empty: `watching`
     *     cleared, fence, queue re-read (Dekker with a producer that read
     *     `watching` true and so armed nothing): not empty, it arms itself again.
     *   IDLE -> ABSENT: idle for keepAlive; under the lock, unless armed
     *     meanwhile; its thread is kept for stop() to join.
     *   any -> gone: stopped; stop() interrupts it and joins it.
     * `taken` is set by the first job run in an interval, so the watch costs
     * the hot path a read of a flag that is already set.
     */

    /** Arms the watch and makes sure its thread runs: a producer found the pool at its limit. Any thread. */
    private void armWatch() {
        if (!watching.compareAndSet(false, true)) {
            return; // armed by another
        }
        Throwable failure = null;
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            if (watcher != null) {
                LockSupport.unpark(watcher);
                return;
            }
            Thread thread = new Thread(this::watch, namePrefix + "watch");
            thread.setDaemon(true);
            thread.start();
            watcher = thread;
        } catch (Throwable cannotStart) {
            watching.set(false); // a later full signal tries again
            failure = cannotStart;
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            reporter.warn("thread runner: cannot start the starvation watch", failure);
        }
    }

    /** The watch's loop, on its own thread; ends when stopped or idle for keepAlive. Never throws. */
    private void watch() {
        for (;;) {
            try {
                watchUntilRetired();
                return;
            } catch (Throwable escaped) {
                // Nothing thrown ends the watch: it would stay armed with no
                // thread, and starvation would go unseen until stop().
                reporter.warn("thread runner: the starvation watch failed; it goes on", escaped);
            }
        }
    }

    /** The watch's loop proper; returns when stopped or retired. */
    private void watchUntilRetired() {
        long idleSince = System.nanoTime();
        while (!stopped) {
            if (!watching.get()) {
                long left = keepAliveNanos - (System.nanoTime() - idleSince);
                if (left <= 0) {
                    if (retireWatch()) {
                        return;
                    }
                    continue; // armed meanwhile
                }
                LockSupport.parkNanos(this, left);
                Thread.interrupted(); // stop() interrupts after setting `stopped`, which the loop reads
                continue;
            }
            taken = false;
            long intervalStart = System.nanoTime();
            for (;;) {
                long elapsed = System.nanoTime() - intervalStart;
                if (!parkFor(Math.min(LOOK_NANOS, Math.max(0, interval() - elapsed)))) {
                    return; // stopped
                }
                if (!hasQueued()) {
                    watching.set(false);
                    VarHandle.fullFence(); // Dekker: disarmed, then re-read the queue
                    if (!(hasQueued() && watching.compareAndSet(false, true))) {
                        idleSince = System.nanoTime();
                        looks++; // the next arming starts afresh: no worker is seen waiting twice in a row across it
                    }
                    break;
                }
                compensateWaiting();
                if (System.nanoTime() - intervalStart >= interval()) {
                    if (!taken) {
                        grow(); // not one job taken for a whole interval
                    }
                    break;
                }
            }
        }
    }

    /**
     * One look at the workers, jobs being queued: counts the platform
     * workers whose thread waits (its state {@code WAITING},
     * {@code TIMED_WAITING} or {@code BLOCKED}: a sleep, a latch, a lock, a
     * future's get) at this look and the one before, outside a managed wait
     * (counted already), and raises {@code grown} to that count, so that the
     * limit lets {@code maxThreads} workers run besides the waiting ones (up
     * to the hard cap); then gets a worker for the queue. With overflow
     * threads, a platform worker still in the same job at two looks, which
     * covers a waiting one and one blocked where its thread shows as
     * runnable (a socket read, a name lookup) or computing, gets a virtual
     * worker started instead (the next ones follow as each takes a job). A
     * wait of less than one look is not counted. The workers are listed under the lock, their
     * states read after it is released, so that a worker queued on the lock
     * for the listing is not taken for a waiting one (one that waits on it
     * for another reason may be: the count is a heuristic, bounded by the
     * hard cap, and given back as threads leave). The watch's thread.
     */
    private void compensateWaiting() {
        long look = ++looks;
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            roster.addUnparked(looked);
        } finally {
            lock.unlock();
        }
        int waiting = 0;
        for (Worker worker : looked) {
            if (worker.overflow) {
                continue;
            }
            if (overflowThreads != null) {
                // Any wait, a managed one included (the limit cannot rise
                // for it here), and any block the thread state hides.
                int started = worker.started();
                if (worker.seenStartedAt == look - 1 && worker.seenStarted == started) {
                    waiting++;
                }
                worker.seenStarted = started;
                worker.seenStartedAt = look;
            } else if (!worker.blocking && waits(worker.thread.getState())) {
                if (worker.seenWaitingAt == look - 1) {
                    waiting++;
                }
                worker.seenWaitingAt = look;
            }
        }
        looked.clear();
        if (overflowThreads != null) {
            if (waiting > 0) {
                startWorker(true);
            }
            return;
        }
        if (waiting <= grown) {
            return;
        }
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            grown = Math.max(grown, (int) Math.min(waiting, (long) hardCap - maxThreads));
        } finally {
            lock.unlock();
        }
        signal(); // each worker started takes a job and, the last spinner, signals the next (see Worker.take)
    }

    /** @return true for the states of a thread that waits: parked, sleeping, in {@code wait}, or entering a monitor */
    private static boolean waits(Thread.State state) {
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED;
    }

    /** @return the base interval doubled once per thread added for starvation, at most {@link #MAX_DOUBLINGS} times */
    private long interval() {
        int doublings = Math.min(grown, MAX_DOUBLINGS);
        return starvationNanos > (Long.MAX_VALUE >> doublings) ? Long.MAX_VALUE : starvationNanos << doublings;
    }

    /** @return false if the pool stopped before {@code nanos} passed */
    private boolean parkFor(long nanos) {
        long since = System.nanoTime();
        for (;;) {
            if (stopped) {
                return false;
            }
            long left = nanos - (System.nanoTime() - since);
            if (left <= 0) {
                return true;
            }
            LockSupport.parkNanos(this, left);
            Thread.interrupted();
        }
    }

    /**
     * Starvation: jobs are queued and none was taken for an interval. Raises
     * the limit by one (unless a thread may be started already, or the hard
     * cap is reached) and gets a worker for the queue. (With overflow
     * threads the looks have started a virtual worker long before.) The
     * watch's thread.
     */
    private void grow() {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            int limit = limit();
            if (roster.platformLive() >= limit && limit < hardCap) {
                grown++; // below the cap, so grown stays below maxExtraThreads
            }
        } finally {
            lock.unlock();
        }
        signal();
    }

    /** @return true if the idle watch left (its thread kept for stop() to join), false if armed meanwhile */
    private boolean retireWatch() {
        lock.lock();
        try {
            if (watching.get() && !stopped) {
                return false;
            }
            watcher = null;
            roster.left(Thread.currentThread());
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs a job the calling worker took, or abandons it if the pool is
     * stopped. Worker thread; never throws.
     *
     * @param job the job
     */
    void runOrAbandon(Runnable job) {
        if (!taken) {
            taken = true; // progress, for the starvation watch
        }
        // A pooled thread must not carry an interrupt into its next job. stop()
        // sets `stopped` before it interrupts, so an interrupt cleared here is
        // followed by seeing `stopped` below.
        Thread.interrupted();
        if (stopped) {
            abandon(job);
            return;
        }
        try {
            job.run();
        } catch (Throwable escaped) {
            reporter.warn("thread runner: a job threw", escaped);
        }
    }

    /**
     * How many jobs are queued or running: the queue's size plus the live
     * workers neither spinning nor parked. Approximate: the counters are
     * read one after the other, and a worker between states (leaving, or
     * just done with a job) counts as running. Any thread.
     *
     * @return zero or more
     */
    int activeCount() {
        return queue.size() + prioritizedCount + Math.max(0, roster.live() - spinning.get() - roster.idle());
    }

    /** @return the live workers now, read without the lock; any thread */
    int liveThreads() {
        return roster.live();
    }

    /** @return the limit on live workers now, read without the lock; any thread */
    int threadLimit() {
        return limit();
    }

    /**
     * Stops the pool: refuses new jobs, abandons the queued ones, wakes the
     * parked workers and interrupts the others, then waits until every
     * worker thread has ended. Idempotent. Any thread; called from a worker,
     * it does not wait for that worker.
     *
     * @param grace how long to wait for the workers to end
     * @return true if every worker thread ended within {@code grace}
     */
    boolean stop(Duration grace) {
        long since = System.nanoTime();
        long graceNanos = grace.toNanos();
        List<Thread> threads;
        lock.lock();
        try {
            stopped = true;
            // No worker starts or parks from now on (both check `stopped` under this lock).
            for (Worker worker = roster.popIdle(); worker != null; worker = roster.popIdle()) {
                worker.woken = true;
                spinning.incrementAndGet();
            }
            threads = roster.threads();
            if (watcher != null) {
                threads.add(watcher);
            }
        } finally {
            lock.unlock();
        }
        abandonQueued();
        for (Thread thread : threads) {
            // Running jobs learn of the stop; parked workers, woken above, and the watch unpark.
            thread.interrupt();
        }
        boolean ended = true;
        for (Thread thread : threads) {
            if (thread != Thread.currentThread()) {
                ended &= join(thread, graceNanos - (System.nanoTime() - since));
            }
        }
        return ended;
    }

    /** Polls and abandons every queued job, of either queue. Any thread. */
    private void abandonQueued() {
        Runnable job;
        while ((job = poll()) != null) {
            abandon(job);
        }
    }

    // ------------------------------------------------------------------ the two queues

    /**
     * Takes the next job: the FIFO queue's head, unless the priority queue
     * holds a job (its count is not 0), which is then taken first if its
     * priority is above the default, or else when the FIFO queue is empty.
     * Polling is exclusive in both queues: each job is taken once. Any
     * thread (the workers; stop() and a producer that meets a stop drain).
     *
     * @return a job, or null if both queues were seen empty
     */
    Runnable poll() {
        return prioritizedCount == 0 ? queue.poll() : pollEitherQueue();
    }

    /**
     * Whether a job is queued in either queue. After the caller's full
     * fence it sees a job queued (and fenced) before, unless that job was
     * taken: the Dekker reads of {@link WorkerThreads}.
     */
    boolean hasQueued() {
        return !queue.isEmpty() || prioritizedCount != 0;
    }

    /** {@link #poll()} while the priority queue may hold a job. */
    private Runnable pollEitherQueue() {
        synchronized (prioritized) {
            Prioritized best = prioritized.peek();
            if (best != null && best.priority < Priority.DEFAULT) {
                return takeBestLocked();
            }
        }
        Runnable job = queue.poll();
        if (job != null) {
            return job;
        }
        synchronized (prioritized) {
            // Below the default, or one that arrived since: the FIFO queue is empty.
            return prioritized.isEmpty() ? null : takeBestLocked();
        }
    }

    /** Under {@link #prioritized}'s monitor, with it not empty: takes its best job. */
    private Runnable takeBestLocked() {
        Runnable job = prioritized.poll().work;
        prioritizedCount = prioritized.size();
        return job;
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

    /** @return true if {@code thread} ended within {@code nanos} (none left: only a check) */
    private static boolean join(Thread thread, long nanos) {
        try {
            if (nanos > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, nanos);
            }
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
