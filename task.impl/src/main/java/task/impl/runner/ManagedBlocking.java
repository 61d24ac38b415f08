package task.impl.runner;

/**
 * Tells the thread runner that the calling thread is about to block inside
 * the runtime (waiting for a task, for a context, for events), in the spirit
 * of {@code ForkJoinPool.managedBlock}: a platform worker that blocks may be
 * replaced by another thread while it waits, so that the work it waits for
 * (typically a task it has just started: GLib's nested-task pattern) does not
 * wait behind it in a full pool. The pool's thread count stays under its
 * hard cap (see {@link WorkerThreads}).
 * <p>
 * Use, around the wait only (not around code that runs jobs or callbacks):
 * <pre>{@code
 * boolean managed = ManagedBlocking.begin();
 * try {
 *     ... park until done ...
 * } finally {
 *     ManagedBlocking.end(managed);
 * }
 * }</pre>
 * Threading: both calls on the blocking thread, paired. On any thread but a
 * platform worker of ours (a virtual worker, an event context's thread, a
 * client's thread) {@code begin} does nothing and returns false. A nested
 * {@code begin} on a thread already inside one returns false too, so only
 * the outermost counts. Never throws (a thread that cannot be started is
 * reported); allocates nothing unless it starts a thread.
 */
public final class ManagedBlocking {
    private ManagedBlocking() {
    }

    /**
     * Announces that the calling thread blocks from now on. If it is a
     * platform worker of a running pool, the pool counts it blocked (which
     * lets one more thread run) and gets a worker for any queued job.
     *
     * @return true if the pool was told: pass it to {@link #end(boolean)}
     */
    public static boolean begin() {
        Worker worker = Worker.current();
        if (worker == null || worker.blocking) {
            return false;
        }
        worker.blocking = true;
        worker.pool.blockBegins();
        return true;
    }

    /**
     * Announces that the wait announced by {@link #begin()} is over.
     *
     * @param begun what {@code begin()} returned on this thread; false: nothing to do
     */
    public static void end(boolean begun) {
        if (begun) {
            Worker worker = Worker.current();
            worker.blocking = false;
            worker.pool.blockEnds();
        }
    }
}
