package task.impl.core;

import java.util.concurrent.ExecutionException;

import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskCancelledException;

/**
 * What {@code Task.runInThreadSync} hands to its caller: the callback that
 * replaces the task's own for that run, capturing the error or taking the
 * result (so its cleanup does not run: the caller owns it). Written in the
 * completion, read by the caller after {@code waitThread()}, which
 * happens-after the completion.
 */
final class SyncOutcome<S, R> implements TaskCallback<S, R> {
    private boolean ran;
    private Throwable error;
    private R value;

    @Override
    public void onComplete(Task<S, R> task) {
        ran = true;
        error = task.propagateError();
        if (error == null) {
            value = task.takeResult();
        }
    }

    /** In the caller, after the task finished. */
    R resultOrThrow(String taskName) throws Exception {
        if (!ran) {
            // Disposed: its owner went away or its context closed, and no completion ran.
            throw new TaskCancelledException(taskName, "disposed before it completed");
        }
        if (error == null) {
            return value;
        }
        if (error instanceof Exception) {
            throw (Exception) error;
        }
        if (error instanceof Error) {
            throw (Error) error;
        }
        throw new ExecutionException(error);
    }
}
