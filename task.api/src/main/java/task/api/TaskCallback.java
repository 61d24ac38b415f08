package task.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The completion callback of a task: {@code QIOTaskFunc}.
 * <p>
 * Upstream passes an opaque pointer with a destroy notifier; in Java the
 * callback's data is whatever the lambda captures, and its cleanup is the
 * {@code Runnable} given to {@link TaskService#create}.
 *
 * @param <S> the type of the task's source
 * @param <R> the type of the task's result
 */
@ConsumerType
@FunctionalInterface
public interface TaskCallback<S, R> {

    /**
     * Called exactly once when the task completes, or never if the task is
     * {@linkplain Task#dispose() disposed} first.
     * <p>
     * Threading: for a task run with {@link Task#runInThread}, on the thread
     * that drives the task's {@link EventContext} (or on the thread calling
     * {@link Task#waitThread()}); for a task completed with
     * {@link Task#complete()}, on the thread calling it; for a cancelled task,
     * on its context. The callback reads the outcome with
     * {@link Task#propagateError()} and {@link Task#result()}.
     * <p>
     * Errors: an exception thrown here does not stop the task from
     * finishing: its cleanups still run. It is rethrown to the caller of
     * {@link Task#complete()} or {@link Task#waitThread()}, and reported to
     * the log when the callback ran on an event context.
     *
     * @param task the completing task; usable until this method returns
     */
    void onComplete(Task<S, R> task);
}
