package task.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs task workers off the event threads: virtual threads where the JVM
 * has them (Java 21 and later), otherwise a bounded pool of named platform
 * threads. {@link Task#runInThread} uses it; it is a service of its own so
 * that diagnostics and configuration can reach it.
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
     * Whether workers run on virtual threads.
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
}
