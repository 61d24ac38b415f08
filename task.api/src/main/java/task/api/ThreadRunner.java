package task.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs task workers off the event threads: a bounded pool of named platform
 * threads and, where the JVM has virtual threads (Java 21 and later), a
 * virtual thread for each worker that would otherwise wait behind platform
 * threads that wait. {@link Task#runInThread} uses it; it is a service of
 * its own so that diagnostics and configuration can reach it.
 * <p>
 * In OSGi its sizes are configured through Config Admin (PID
 * {@value #PID}). Threading: any thread.
 */
@ProviderType
public interface ThreadRunner {

    /** The configuration PID of the runner. */
    String PID = "task.runner";

    /**
     * Runs {@code job} on a worker thread, soon.
     *
     * @param job the job; it must not throw (task workers are wrapped so
     *        that they cannot)
     * @throws java.util.concurrent.RejectedExecutionException if the runner is stopped
     */
    void execute(Runnable job);

    /**
     * Whether workers that find every platform thread of the runner waiting
     * run on virtual threads (short workers run on the platform threads,
     * which are cheaper to wake).
     *
     * @return true on a JVM with virtual threads, unless configured off
     */
    boolean usesVirtualThreads();

    /**
     * How many jobs are running or waiting for a thread now.
     *
     * @return zero or more
     */
    int activeCount();

    /**
     * Runs {@code job} on a worker thread, soon, ordered by {@code priority}
     * among the jobs waiting for a thread ({@link Priority}: a lower number
     * first, FIFO within a priority; {@code g_task_set_priority} for a
     * task's worker). Jobs wait only while every thread is busy: in a
     * platform pool that is full; with virtual threads, only while the
     * platform threads compute (behind waiting ones every job gets a thread
     * at once, so nothing waits to be ordered). The priority never
     * preempts a running job and is not the thread's priority.
     * {@link Priority#DEFAULT} is {@link #execute(Runnable)}, unchanged.
     * <p>
     * Threading: any thread. Happens-before: this call happens-before the
     * job runs. The default implementation ignores the priority and calls
     * {@link #execute(Runnable)}; the runtime's runner orders.
     *
     * @param job the job; it must not throw
     * @param priority any {@code int}; see {@link Priority}
     * @throws NullPointerException if {@code job} is null
     * @throws java.util.concurrent.RejectedExecutionException if the runner is stopped
     * @since 1.1
     */
    default void execute(Runnable job, int priority) {
        execute(job);
    }
}
