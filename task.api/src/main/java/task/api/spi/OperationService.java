package task.api.spi;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskService;

/**
 * Runs the operations plugins offer, by name. It tracks them dynamically:
 * an operation appears when its plugin registers it and disappears when the
 * plugin goes away, without a restart. Threading: any thread.
 */
@ProviderType
public interface OperationService {

    /**
     * The operations registered now.
     *
     * @return a snapshot sorted by name
     */
    List<OperationInfo> operations();

    /**
     * One registered operation.
     *
     * @param name the operation's name
     * @return its description, or empty if no such operation is registered
     */
    Optional<OperationInfo> find(String name);

    /**
     * Starts operation {@code name} as a task created by {@code tasks}, and
     * so owned by that service's owner, completing on {@code context}.
     *
     * @param tasks creates the task
     * @param name the operation's name
     * @param arguments the arguments, as text
     * @param context where the callback runs, or null for the default context
     * @param callback called once with the task, whose result is the
     *        operation's result
     * @return the running task, named after the request
     * @throws IllegalArgumentException if no such operation is registered,
     *         the number of arguments does not fit the operation's
     *         {@link Operation#arguments()} (too many, or a required one
     *         missing: checked here, before the operation is called), or the
     *         operation rejects the arguments (the message names the
     *         operation and the value); nothing is left open and the
     *         callback will not run
     */
    Task<OperationRequest, Object> start(TaskService tasks, String name, List<String> arguments, EventContext context,
            TaskCallback<OperationRequest, Object> callback);
}
