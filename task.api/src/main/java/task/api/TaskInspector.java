package task.api;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import task.api.metrics.TaskStats;

/**
 * Lists and cancels the tasks in flight across the whole runtime, and lists
 * its open event contexts, for diagnostics and administration (the shell's
 * {@code task:tasks}, {@code task:cancel} and {@code task:contexts}). A task
 * is in flight from its creation until it finishes. Threading: any thread.
 */
@ProviderType
public interface TaskInspector {

    /**
     * A snapshot of every task in flight, oldest first.
     *
     * @return an immutable list, empty when nothing is in flight
     */
    List<TaskInfo> inFlight();

    /**
     * A snapshot of one task in flight.
     *
     * @param id the task's identifier
     * @return the task's snapshot, or empty if no task with that id is in flight
     */
    Optional<TaskInfo> find(long id);

    /**
     * Cancels a task in flight as {@code task.cancel(true)} would.
     *
     * @param id the task's identifier
     * @return true if the task was found and this call cancelled it
     */
    boolean cancel(long id);

    /**
     * A snapshot of the runtime's open event contexts: the default one and
     * every context its factories created that is not yet closed.
     *
     * @return an immutable list sorted by name
     * @since 1.1
     */
    List<ContextInfo> contexts();

    /**
     * Counts the runtime's reports (failed callbacks, stalls, warnings) that
     * were lost because the log and {@link System#err} both failed when they
     * were written, since the runtime's classes were loaded.
     *
     * @return how many reports were lost; 0 when none were
     * @since 1.1
     */
    long lostReports();

    /**
     * Where a task in flight was created: the stack of the thread that
     * created it, innermost frame first, recorded when its owner's
     * {@code recordCreationSites} is on (Config Admin PID {@code task.service},
     * or {@code TaskRuntime.Builder.recordCreationSites}); the shell's
     * {@code task:tasks -v ID}.
     *
     * @param id the task's identifier
     * @return the frames; empty if no such task is in flight or its creation was not recorded
     * @since 1.1
     */
    List<StackTraceElement> creationStack(long id);

    /**
     * The runtime's metrics now: per owner and per operation, per context and
     * for the runner (the shell's {@code task:stats}; the same figures are
     * JMX MBeans in the domain {@code task.runtime}). Reading them costs a
     * snapshot of each histogram, not a pause of the tasks.
     *
     * @return a snapshot, never null
     * @since 1.1
     */
    TaskStats stats();
}
