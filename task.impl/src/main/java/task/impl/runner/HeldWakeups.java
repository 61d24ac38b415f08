package task.impl.runner;

import java.util.Arrays;

/**
 * The worker wake-ups the own thread of an event context holds, which runs
 * events in batches (one iteration of its loop). While a batch runs, the
 * worker wake-ups that the jobs it submits would need are held, and given
 * once when the batch ends: a batch of completions whose callbacks submit
 * many jobs wakes a parked worker once, not once per job, and the context's
 * thread spends its time on events instead of on system calls. (Measured
 * on two cores: twice the round trips per second.) The jobs themselves are
 * queued at once; a worker that is awake takes them at once.
 * <p>
 * A thread that blocks while a batch runs must first give what it holds
 * ({@link #releaseHeld()}): the runtime does so wherever it blocks (waiting
 * for a task, for a context to close, driving another context). Callbacks
 * must not block otherwise: one that waits some other way for a worker it
 * has just started, while every worker is parked, waits until another job
 * wakes a worker or a parked worker's keep-alive runs out (it then looks at
 * the queue before it leaves).
 * <p>
 * The context's thread finds its own through a thread-local that
 * {@link #run} sets for the thread's life, not by being a {@code Thread}
 * subclass of ours: a thread's class pins its class loader for as long as
 * anything keeps the dead thread (see {@link PlainThreads}).
 * <p>
 * Threading: {@link #newOwnThread} on any thread, once; every other method on that thread only.
 */
public final class HeldWakeups {
    /** The calling thread's, while it runs {@link #run}; else none. */
    private static final ThreadLocal<HeldWakeups> OF_THREAD = new ThreadLocal<>();

    /** Batches begun and not ended: a context driven from its own callback nests one. */
    private int depth;
    /** The pools whose wake-up is held, usually one; confined to the thread. */
    private WorkerPool[] held = new WorkerPool[2];
    private int heldCount;

    /**
     * Makes an event context's own thread, whose held wake-ups these are
     * (see {@link PlainThreads} for what kind of thread).
     *
     * @param body the context's loop; not null
     * @param name the thread's name
     * @return the daemon thread, not started; it runs {@code body} through {@link #run}
     */
    public Thread newOwnThread(Runnable body, String name) {
        return PlainThreads.newDaemon(() -> run(body), name);
    }

    /**
     * Runs the body of an event context's own thread, with these as the
     * thread's held wake-ups; on that thread, once. Whatever is still held
     * when the body ends is given.
     *
     * @param body the context's loop; not null
     */
    private void run(Runnable body) {
        OF_THREAD.set(this);
        try {
            body.run();
        } finally {
            giveHeld();
            OF_THREAD.remove();
        }
    }

    /** Starts a batch: from now on, wake-ups are held. On this thread. */
    public void beginBatch() {
        depth++;
    }

    /** Ends the batch; the outermost gives every held wake-up that is still needed. On this thread. */
    public void endBatch() {
        if (--depth == 0) {
            giveHeld();
        }
    }

    /**
     * Gives the wake-ups the calling thread holds, if it is a batching
     * thread; for a thread about to block. The batch goes on.
     */
    public static void releaseHeld() {
        HeldWakeups mine = OF_THREAD.get();
        if (mine != null) {
            mine.giveHeld();
        }
    }

    /**
     * Holds the wake-up {@code pool} needs for a job just queued, if the
     * calling thread is an event context's own thread in a batch.
     *
     * @return false if no batch runs here: the caller wakes a worker itself
     */
    static boolean holdOnThisThread(WorkerPool pool) {
        HeldWakeups mine = OF_THREAD.get();
        return mine != null && mine.hold(pool);
    }

    private boolean hold(WorkerPool pool) {
        if (depth == 0) {
            return false;
        }
        for (int i = 0; i < heldCount; i++) {
            if (held[i] == pool) {
                return true;
            }
        }
        if (heldCount == held.length) {
            held = Arrays.copyOf(held, heldCount * 2);
        }
        held[heldCount++] = pool;
        return true;
    }

    private void giveHeld() {
        while (heldCount > 0) {
            WorkerPool pool = held[--heldCount];
            held[heldCount] = null;
            pool.signalIfStillNeeded();
        }
    }
}
