package task.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Creates tasks: {@code qio_task_new}.
 * <p>
 * In OSGi this service is bundle-scoped: each client bundle gets its own
 * instance, and when that bundle stops or releases the service, every task
 * it still has in flight is {@linkplain Task#dispose() disposed}: no callback
 * runs into the stopped bundle, every cleanup runs, every source reference is
 * released. Outside OSGi, {@code task.impl.TaskRuntime} provides one.
 * <p>
 * Threading: every method may be called from any thread.
 */
@ProviderType
public interface TaskService {

    /**
     * Creates a task on {@code source} that reports to {@code callback}:
     * {@code qio_task_new(source, func, opaque, destroy)}. The task holds a
     * strong reference to {@code source} until it finishes.
     * <p>
     * Upstream's opaque data is whatever {@code callback} captures; its
     * destroy notifier is {@code cleanup}, which runs exactly once when the
     * task finishes, after the callback (or without it, on disposal).
     *
     * @param <S> the type of the source
     * @param <R> the type of the result
     * @param source the object the operation runs on
     * @param callback called once when the task completes
     * @param cleanup releases the callback's data, or null
     * @return the new task, in state {@link TaskState#PENDING}
     * @throws IllegalStateException if this service has been released
     */
    <S, R> Task<S, R> create(S source, TaskCallback<S, R> callback, Runnable cleanup);

    /**
     * Starts describing a task with more options than {@link #create}: a
     * name for diagnostics and the context its cancellation is delivered on.
     *
     * @param <S> the type of the source
     * @param <R> the type of the result
     * @param source the object the operation runs on
     * @param callback called once when the task completes
     * @return a builder; not thread-safe, use it from one thread
     */
    <S, R> Builder<S, R> builder(S source, TaskCallback<S, R> callback);

    /**
     * The runtime's default event context, where completions go when no
     * context is named.
     *
     * @return the default context
     */
    EventContext defaultContext();

    /**
     * Describes a task before creating it. Not thread-safe.
     *
     * @param <S> the type of the source
     * @param <R> the type of the result
     */
    @ProviderType
    interface Builder<S, R> {

        /**
         * Names the task for diagnostics (the shell's task list, log messages).
         *
         * @param name a non-blank name
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is blank
         */
        Builder<S, R> name(String name);

        /**
         * Sets the cleanup of the callback's data.
         *
         * @param cleanup runs once when the task finishes, or null for none
         * @return this builder
         */
        Builder<S, R> cleanup(Runnable cleanup);

        /**
         * Sets the context a cancelled completion is delivered on until
         * {@link Task#runInThread} names another; the default context if not set.
         *
         * @param context the context, or null for the default context
         * @return this builder
         */
        Builder<S, R> context(EventContext context);

        /**
         * Creates the task; the builder may be reused afterwards.
         *
         * @return the new task, in state {@link TaskState#PENDING}
         * @throws IllegalStateException if the service has been released
         */
        Task<S, R> create();
    }
}
