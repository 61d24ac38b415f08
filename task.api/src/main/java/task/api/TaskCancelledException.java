package task.api;

import java.util.concurrent.CancellationException;

/**
 * The error a cancelled task reports through {@link Task#propagateError()}.
 * An error the task had before (or got from its worker afterwards) is
 * attached as {@linkplain Throwable#getSuppressed() suppressed}.
 */
public class TaskCancelledException extends CancellationException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception for a task.
     *
     * @param taskName the cancelled task's name, used in the message
     * @param reason why it was cancelled, or null
     */
    public TaskCancelledException(String taskName, String reason) {
        super("task '" + taskName + "' was cancelled" + (reason == null ? "" : ": " + reason));
    }
}
