package task.impl.runner;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One worker thread of a {@link WorkerPool} and its loop: run jobs while the
 * queues have some ({@link WorkerPool#poll}: the FIFO queue, and the
 * priority queue while it holds a job), then spin briefly, then park
 * (platform threads) or leave (virtual overflow threads). The states and the no-lost-wake-up argument are in
 * {@link WorkerThreads}.
 * <p>
 * Threading: {@link #run} on the worker's own thread; the link fields are
 * the pool's, guarded by its lock.
 */
final class Worker implements Runnable {
    private static final VarHandle STARTED;

    static {
        try {
            STARTED = MethodHandles.lookup().findVarHandle(Worker.class, "started", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Polls with {@link Thread#onSpinWait()} between them when the queue is empty: a few microseconds. */
    private static final int SPIN_POLLS = 100;
    /**
     * Polls with {@link Thread#yield()} between them after those: some tens
     * of microseconds, and they let the producer run where cores are few.
     */
    private static final int YIELD_POLLS = 10;

    /**
     * The platform worker the calling thread runs, for {@link ManagedBlocking}:
     * a thread-local rather than a {@code Thread} subclass that knows its
     * worker, because a thread's class pins its class loader for as long as
     * anything keeps the dead thread (see {@link PlainThreads}). It is set
     * for the life of {@link #run} and removed when it ends.
     */
    private static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();

    /** The pool; read by {@link ManagedBlocking} on this worker's thread. */
    final WorkerPool pool;
    /**
     * A virtual worker started for a job that found every platform worker
     * waiting: it leaves when it finds no job, where a platform worker parks.
     */
    final boolean overflow;
    /** Set under the pool's lock before the thread starts, then only read. */
    Thread thread;
    /**
     * Inside a {@link ManagedBlocking} wait, counted in the pool's
     * {@code blocked}: written by this worker's thread only; volatile so
     * that the starvation watch, which reads it, does not count the wait a
     * second time as a block it sees.
     */
    volatile boolean blocking;
    /** On the idle stack; guarded by the pool's lock (written by {@link Roster}). */
    boolean parked;
    /**
     * The number of the starvation watch's last look that saw this worker's
     * thread waiting, or -1; read and written by the watch's thread only
     * (a new watch thread is started under the pool's lock, after the old one
     * retired under it).
     */
    long seenWaitingAt = -1;
    /**
     * The jobs this worker has started (wrapping): written by its thread
     * only, read by the starvation watch of a pool with overflow threads;
     * opaque accesses, so that the hot path pays a plain store and the
     * watch still sees it change.
     */
    private int started;
    /** The watch's last look at this worker, and {@link #started} then; the watch's thread only. */
    long seenStartedAt = -1;
    int seenStarted;
    /**
     * Set, under the pool's lock, when a producer or stop() takes this worker
     * off the idle stack (counting it spinning), cleared when it pushes
     * itself; read by the parked worker without the lock.
     */
    volatile boolean woken;
    /** The next worker down the idle stack. */
    Worker nextIdle;
    /** The neighbours in the live list. */
    Worker prevLive;
    Worker nextLive;

    /**
     * A worker of {@code pool}; the pool gives it its thread.
     *
     * @param pool the pool
     * @param overflow a virtual overflow worker, else a platform one
     */
    Worker(WorkerPool pool, boolean overflow) {
        this.pool = pool;
        this.overflow = overflow;
    }

    /**
     * The loop, on the worker's own thread, which starts counted spinning.
     * Never throws: jobs are guarded by {@link WorkerPool#runOrAbandon}.
     */
    @Override
    public void run() {
        if (!overflow) {
            CURRENT.set(this); // virtual overflow workers need no compensation (see WorkerThreads)
        }
        try {
            Runnable job;
            while ((job = take()) != null) {
                do {
                    STARTED.setOpaque(this, started + 1);
                    pool.runOrAbandon(job);
                    // While jobs are queued, straight to the next: no counter moves.
                } while ((job = pool.poll()) != null);
                // Counted before polling again (in take), so that a producer
                // either sees this worker spinning or its job is seen.
                pool.spinning.incrementAndGet();
            }
        } finally {
            CURRENT.remove();
        }
    }

    /** @return the platform worker the calling thread runs, or null if it runs none */
    static Worker current() {
        return CURRENT.get();
    }

    /** @return the jobs this worker has started, as last written; the starvation watch's thread */
    int started() {
        return (int) STARTED.getOpaque(this);
    }

    /**
     * Looks for a job while counted spinning, parking or leaving when none
     * comes.
     *
     * @return a job, no longer counted spinning; null once the worker has left the pool
     */
    private Runnable take() {
        for (;;) {
            // Counted spinning even when it only polls once: it still re-reads
            // the queue after it stops counting, so a producer relying on it is safe.
            Runnable job = pool.spinning.get() <= pool.maxSpinners ? spin() : pool.poll();
            if (job != null) {
                // The last spinner to take a job hands the rest of the queue on:
                // a job offered while it spun found it spinning and woke no one,
                // and must not wait behind this job. The decrement is a volatile
                // read-modify-write, ordered before the emptiness check.
                if (pool.spinning.decrementAndGet() == 0 && pool.hasQueued()) {
                    pool.signal();
                }
                return job;
            }
            boolean goOn = !overflow && !pool.stopped ? park() : leave();
            if (!goOn) {
                return null;
            }
        }
    }

    /** @return a job, or null after a short spin without one or once the pool is stopped */
    private Runnable spin() {
        for (int i = 0; i < SPIN_POLLS + YIELD_POLLS; i++) {
            Runnable job = pool.poll();
            if (job != null || pool.stopped) {
                return job;
            }
            if (i < SPIN_POLLS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return null;
    }

    /**
     * Stops spinning and leaves the pool, unless work came meanwhile.
     *
     * @return true to look for work again (counted spinning), false once left
     */
    private boolean leave() {
        pool.spinning.decrementAndGet();
        VarHandle.fullFence(); // Dekker: no longer spinning, then read the queue (in leave)
        return pool.leave(this);
    }

    /**
     * Parks on the idle stack until a producer wakes this worker or
     * keepAlive passes.
     *
     * @return true to look for work again (counted spinning), false once left
     */
    private boolean park() {
        if (!pool.pushIdle(this)) {
            return leave(); // stopped meanwhile
        }
        // Idle before no longer spinning: a producer never sees neither.
        pool.spinning.decrementAndGet();
        VarHandle.fullFence(); // Dekker: idle, then re-read the queue
        if (pool.hasQueued() || pool.stopped) {
            pool.resume(this);
            return true;
        }
        long since = System.nanoTime(); // elapsed time, not a deadline: any keepAlive, no overflow
        for (;;) {
            if (woken) {
                return true;
            }
            long left = pool.keepAliveNanos - (System.nanoTime() - since);
            if (left <= 0) {
                return pool.expire(this);
            }
            LockSupport.parkNanos(this, left);
            // An interrupt is no reason to wake: stop() sets `woken` before it
            // interrupts. Cleared, or parking would return at once from now on.
            Thread.interrupted();
        }
    }
}
