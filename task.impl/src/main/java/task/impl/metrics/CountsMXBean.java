package task.impl.metrics;

/**
 * The JMX view of one owner's or one operation's tasks
 * ({@code task.runtime:type=Owner|Operation,runtime=<n>,name=<name>}): the
 * counts of {@link task.api.metrics.TaskCounts} and the percentiles of the
 * queue and run times, in nanoseconds. Each read takes a fresh snapshot; any
 * thread. Public for JMX only: the package is not exported, operators read it
 * through a JMX client (JConsole, VisualVM, jcmd), not as API.
 */
public interface CountsMXBean {
    /** @return tasks created */
    long getStarted();

    /** @return tasks whose callback saw success */
    long getSucceeded();

    /** @return tasks whose callback saw an error other than cancellation */
    long getFailed();

    /** @return tasks whose callback saw a cancellation */
    long getCancelled();

    /** @return tasks disposed before any callback */
    long getDisposed();

    /** @return started minus the outcomes */
    long getInFlight();

    /** @return worker runs timed (one in {@link TaskMetrics#TIMED_ONE_IN}, at random) */
    long getWorkerRuns();

    /** @return median queue time */
    long getQueueTimeMedianNanos();

    /** @return 99th percentile of the queue time */
    long getQueueTimeP99Nanos();

    /** @return median run time */
    long getRunTimeMedianNanos();

    /** @return 99th percentile of the run time */
    long getRunTimeP99Nanos();

    /** @return the longest run time */
    long getRunTimeMaxNanos();
}
