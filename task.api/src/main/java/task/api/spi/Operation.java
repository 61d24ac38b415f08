package task.api.spi;

import java.util.List;
import java.util.Objects;

import org.osgi.annotation.versioning.ConsumerType;

import task.api.Task;

/**
 * A named operation offered by a plugin, run as a task: what QEMU builds on
 * its tasks (a name lookup, a listening socket, a connection).
 * <p>
 * Implementations must be thread-safe: {@link #start(Task)} may be called
 * from any thread, many times at once. In OSGi, register the implementation
 * as a service of this type; when it is unregistered (its bundle stops),
 * every task it still runs is cancelled with a reason naming the operation,
 * and the runtime waits for those tasks to finish, so that no thread keeps
 * running the plugin's code.
 */
@ConsumerType
public interface Operation {

    /**
     * The operation's name, unique in a runtime: a lower-case word such as
     * {@code resolve}. It must not change.
     *
     * @return the name
     */
    String name();

    /**
     * One line saying what the operation does, for the shell's list.
     *
     * @return the description
     */
    String description();

    /**
     * The arguments the operation takes, in order.
     *
     * @return an immutable list, possibly empty
     */
    List<Argument> arguments();

    /**
     * Checks the task's arguments and starts the operation; returns at once.
     * <p>
     * The task's source is the {@link OperationRequest}. The operation either
     * runs its blocking part with {@link Task#runInThread(task.api.TaskWorker, Runnable, task.api.EventContext)}
     * on {@code request.context()}, or completes the task itself with
     * {@link Task#complete()} from callbacks on that context, registering a
     * {@link Task#onCancel(Runnable)} hook to release what it holds if the
     * task is cancelled. The task's result is what the operation produces;
     * its {@code toString()} is what the shell prints.
     * <p>
     * Threading: any thread; must not block.
     *
     * @param task the task to run, in state {@link task.api.TaskState#PENDING}
     * @throws IllegalArgumentException if an argument is missing, malformed or
     *         out of range, with a message naming the operation and the
     *         value; nothing may have been started or left open
     */
    void start(Task<OperationRequest, Object> task);

    /**
     * One argument an operation takes.
     *
     * @param name a short name, such as {@code host}
     * @param description what it means and which values it takes
     * @param required whether it must be given
     */
    record Argument(String name, String description, boolean required) {
        /**
         * Checks the argument's description.
         *
         * @param name a short name, such as {@code host}; not null, not blank
         * @param description what it means and which values it takes; not null
         * @param required whether it must be given
         * @throws NullPointerException if {@code name} or {@code description} is null
         * @throws IllegalArgumentException if the name is blank
         */
        public Argument {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(description, "description");
            if (name.isBlank()) {
                throw new IllegalArgumentException("operation argument: name must not be blank, got '" + name + "'");
            }
        }
    }
}
