package task.api;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A cancellation scope shared by many tasks: GLib's {@code GCancellable}
 * shared by several operations, Eclipse's {@code JobGroup}, the JDK's
 * {@code StructuredTaskScope}. Made by {@link TaskService#group(String)}; the
 * tasks and futures created through {@link #tasks()} belong to it, and to the
 * bundle of the service it came from, like every other task of that service
 * (when that bundle releases the service, they are disposed).
 *
 * <ul>
 * <li>{@link #cancel(String)} cancels every task of the group still in
 * flight, interrupting their workers, and every nested group; a task created
 * in a cancelled group is cancelled at once.</li>
 * <li>{@link #cancelOnFailure()}: the first task that fails (an error other
 * than a cancellation), in this group or a nested one, cancels the
 * group.</li>
 * <li>{@link #deadline(Duration)} cancels the group when the time is up.</li>
 * <li>{@link #awaitAll(Duration)} waits until every task of the group and of
 * its nested groups has finished.</li>
 * <li>{@link #close()} cancels what is still in flight and refuses new tasks.</li>
 * </ul>
 * {@code task:tasks} shows each task's group ({@code parent/child} for a
 * nested one). Threading: every method may be called from any thread, except
 * {@link #awaitAll}, which blocks. Happens-before: a task's finishing
 * happens-before {@code awaitAll} returns true.
 */
@ProviderType
public interface TaskGroup extends AutoCloseable {

    /** @return the group's name, {@code parent/child} for a nested group; not null */
    String name();

    /**
     * The service whose tasks and futures belong to this group; its
     * {@link TaskService#group(String)} makes a nested group.
     *
     * @return the group's task service; its methods throw {@code IllegalStateException} once the group is closed
     */
    TaskService tasks();

    /**
     * Makes the first task of this group (or of a nested one) that fails
     * cancel the group; a cancelled task does not count as failed.
     *
     * @return this group
     */
    TaskGroup cancelOnFailure();

    /**
     * Cancels this group when {@code timeout} has passed (from now), with the
     * reason {@code deadline of TIMEOUT passed}; a later call replaces the
     * deadline. The timer runs on the default context.
     *
     * @param timeout how long the group may run; positive
     * @return this group
     * @throws IllegalArgumentException if {@code timeout} is not positive
     * @throws NullPointerException if {@code timeout} is null
     */
    TaskGroup deadline(Duration timeout);

    /**
     * Cancels every task of the group in flight (interrupting its worker)
     * and every nested group, and every task created in it from now on.
     *
     * @param reason why, for the tasks' {@link TaskCancelledException}, or null
     * @return true if this call cancelled the group, false if it already was
     */
    boolean cancel(String reason);

    /** @return whether the group has been cancelled (by a call, a failure, its deadline or its parent) */
    boolean isCancelled();

    /**
     * Waits until no task of this group or of its nested groups is in flight.
     * Blocks: never call it on the thread of a context its tasks complete on.
     *
     * @param timeout how long to wait at most; not null
     * @return true if every task finished, false if the time ran out
     * @throws InterruptedException if the waiting thread is interrupted
     */
    boolean awaitAll(Duration timeout) throws InterruptedException;

    /**
     * Cancels what is still in flight (as {@link #cancel(String)} with the
     * reason {@code group closed}) and refuses new tasks from now on; nested
     * groups close too. Idempotent; does not wait.
     */
    @Override
    void close();
}
