package task.impl.runner;

/**
 * A platform worker thread of a {@link WorkerPool}: a daemon thread that
 * knows its {@link Worker}, so that {@link ManagedBlocking} finds the pool of
 * the calling thread with one type check (no thread-local lookup).
 * Virtual overflow workers are plain virtual threads; they need no
 * compensation (see {@link WorkerThreads}).
 * <p>
 * Threading: {@link #worker} is final, set before the thread starts.
 */
final class PoolThread extends Thread {
    /** The worker this thread runs; never null. */
    final Worker worker;

    /**
     * @param worker the worker to run, not null
     * @param name the thread's name
     */
    PoolThread(Worker worker, String name) {
        super(worker, name);
        this.worker = worker;
        setDaemon(true);
    }
}
