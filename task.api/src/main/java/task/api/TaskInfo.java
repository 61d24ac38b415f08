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
 */
public record TaskInfo(long id, String name, String owner, String source, TaskState state,
        Instant created, String thread) {
}
