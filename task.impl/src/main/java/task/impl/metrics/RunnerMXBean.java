package task.impl.metrics;

/**
 * The JMX view of the runtime's thread runner
 * ({@code task.runtime:type=Runner,runtime=<n>}), as
 * {@link task.api.metrics.RunnerStats}; each read a fresh, approximate
 * snapshot; any thread.
 */
public interface RunnerMXBean {
    /** @return whether workers that find the platform threads waiting run on virtual threads */
    boolean isVirtualThreads();

    /** @return threads alive */
    int getThreads();

    /** @return threads running a job */
    int getBusy();

    /** @return jobs waiting for a thread */
    int getQueued();
}
