package task.api;

import java.time.Instant;

/**
 * A snapshot of one task in flight, for diagnostics.
 *
 * @param id the task's identifier
 * @param name the task's name
 * @param owner who created it: the bundle's symbolic name in OSGi, or the
 *        name given to the plain-Java runtime
 * @param source the source's {@code toString()}
 * @param state the task's state when the snapshot was taken
 * @param created when the task was created, to a tenth of a second
 * @param thread the name of the thread running its worker, or null if none runs
 * @param group the name of its {@link TaskGroup} ({@code parent/child} when nested), or null if it has none
 */
public record TaskInfo(long id, String name, String owner, String source, TaskState state,
        Instant created, String thread, String group) {

    /**
     * A snapshot of a task in no group (the record of {@code task.api} 1.0).
     *
     * @param id the task's identifier
     * @param name the task's name
     * @param owner who created it
     * @param source the source's {@code toString()}
     * @param state the task's state
     * @param created when the task was created
     * @param thread the name of the thread running its worker, or null
     */
    public TaskInfo(long id, String name, String owner, String source, TaskState state, Instant created,
            String thread) {
        this(id, name, owner, source, state, created, thread, null);
    }
}
