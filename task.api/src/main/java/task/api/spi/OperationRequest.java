package task.api.spi;

import java.util.List;
import java.util.Objects;

import task.api.EventContext;
import task.api.TaskService;

/**
 * What a caller asked an {@link Operation} to do: the source of the
 * operation's task.
 *
 * @param operation the operation's name
 * @param arguments the arguments, as given (an operation parses them)
 * @param context where the task completes and where the operation may
 *        register timers and watches
 * @param tasks the caller's task service, for subtasks owned by the same
 *        owner as the task
 */
public record OperationRequest(String operation, List<String> arguments, EventContext context, TaskService tasks) {

    /**
     * Copies the arguments.
     *
     * @param operation the operation's name; not blank
     * @param arguments the arguments, as given, copied
     * @param context where the task completes
     * @param tasks the caller's task service
     * @throws NullPointerException if anything, or any argument, is null
     * @throws IllegalArgumentException if {@code operation} is blank
     */
    public OperationRequest {
        Objects.requireNonNull(operation, "operation");
        if (operation.isBlank()) {
            throw new IllegalArgumentException("operation request: operation must not be blank, got '"
                    + operation + "'");
        }
        Objects.requireNonNull(arguments, "arguments");
        for (int i = 0; i < arguments.size(); i++) {
            if (arguments.get(i) == null) {
                throw new NullPointerException(operation + ": argument " + i + " is null");
            }
        }
        arguments = List.copyOf(arguments);
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(tasks, "tasks");
    }

    /**
     * The argument at {@code index}, or an error naming the operation and the
     * argument when it is missing.
     *
     * @param index the position, from 0
     * @param name the argument's name, for the message
     * @return the argument
     * @throws IllegalArgumentException if there are not enough arguments, or
     *         {@code index} is negative
     */
    public String argument(int index, String name) {
        if (index < 0) {
            throw new IllegalArgumentException(operation + ": argument " + name + " has a negative index, got " + index);
        }
        if (index >= arguments.size()) {
            throw new IllegalArgumentException(operation + ": missing argument " + name);
        }
        return arguments.get(index);
    }

    @Override
    public String toString() {
        return arguments.isEmpty() ? operation : operation + " " + String.join(" ", arguments);
    }
}
