package task.impl.runner;

import java.util.Arrays;

/**
 * The own thread of an event context, which runs events in batches (one
 * iteration of its loop). While a batch runs, the worker wake-ups that the
 * jobs it submits would need are held, and given once when the batch ends:
 * a batch of completions whose callbacks submit many jobs wakes a parked
 * worker once, not once per job, and the context's thread spends its time on
 * events instead of on system calls. (Measured on two cores: twice the
 * round trips per second.) The jobs themselves are queued at once; a worker
 * that is awake takes them at once.
 * <p>
 * A thread that blocks while a batch runs must first give what it holds
 * ({@link #releaseHeld()}): the runtime does so wherever it blocks (waiting
 * for a task, for a context to close, driving another context). Callbacks
 * must not block otherwise: one that waits some other way for a worker it
 * has just started, while every worker is parked, waits until another job
 * wakes a worker or a parked worker's keep-alive runs out (it then looks at
 * the queue before it leaves).
 * <p>
 * Threading: every method but the constructor on this thread only.
 */
public final class BatchingThread extends Thread {
    /** Batches begun and not ended: a context driven from its own callback nests one. */
    private int depth;
    /** The pools whose wake-up is held, usually one; confined to this thread. */
    private WorkerPool[] held = new WorkerPool[2];
    private int heldCount;

    /**
     * A thread as {@link Thread#Thread(Runnable, String)} makes it.
     *
     * @param body what the thread runs: the context's loop
     * @param name the thread's name
     */
    public BatchingThread(Runnable body, String name) {
        super(body, name);
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
        Thread current = Thread.currentThread();
        if (current instanceof BatchingThread) {
            ((BatchingThread) current).giveHeld();
        }
    }

    /**
     * Holds the wake-up {@code pool} needs for a job just queued, if a batch runs.
     *
     * @return false if no batch runs: the caller wakes a worker itself
     */
    boolean hold(WorkerPool pool) {
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
