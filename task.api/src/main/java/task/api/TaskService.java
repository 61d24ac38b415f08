package task.api;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

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
     * <p>
     * As upstream's task takes {@code destroy} over, this call takes
     * {@code cleanup} over: when it refuses the task with
     * {@code IllegalStateException}, {@code cleanup} has run on the calling
     * thread before it throws (or, if the owner going away disposed the task
     * first, runs on that thread), so the caller releases nothing itself. A
     * {@code NullPointerException} for a missing argument leaves
     * {@code cleanup} unrun.
     *
     * @param <S> the type of the source
     * @param <R> the type of the result
     * @param source the object the operation runs on
     * @param callback called once when the task completes
     * @param cleanup releases the callback's data, or null
     * @return the new task, in state {@link TaskState#PENDING}
     * @throws NullPointerException if {@code source} or {@code callback} is null
     * @throws IllegalStateException if this service has been released ({@code cleanup} has then run)
     */
    <S, R> Task<S, R> create(S source, TaskCallback<S, R> callback, Runnable cleanup);

    /**
     * Runs {@code work} on a worker thread as a task named {@code name} and
     * delivers its outcome as a future completed on {@code context}: the
     * futures' counterpart of {@code qio_task_run_in_thread}, as
     * {@code CompletableFuture.supplyAsync} is for an executor, but with the
     * completion on the chosen context, cancellation that reaches the worker
     * and the task owned by this service's bundle (see {@link TaskFuture}).
     *
     * @param <R> the type of the result
     * @param name the task's name, for diagnostics; not blank
     * @param work the blocking work; its exception fails the future; not null
     * @param context where the future completes, or null for the default context
     * @return the task's future, not yet complete
     * @throws NullPointerException if {@code name} or {@code work} is null
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws IllegalStateException if this service has been released
     */
    default <R> TaskFuture<R> supply(String name, Callable<? extends R> work,
            EventContext context) {
        return supply(name, work, null, context);
    }

    /**
     * As {@link #supply(String, Callable, EventContext)},
     * for a result that must be released when nobody takes it (a connection,
     * a file): {@code cleanup} receives a result that cannot reach the future
     * (the future was cancelled or completed first, or the task was
     * disposed), exactly once, on the thread that finds it so. A result that
     * reaches the future is the taker's to release.
     *
     * @param <R> the type of the result
     * @param name the task's name, for diagnostics; not blank
     * @param work the blocking work; not null
     * @param cleanup releases a result nobody took, or null
     * @param context where the future completes, or null for the default context
     * @return the task's future
     * @throws NullPointerException if {@code name} or {@code work} is null
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws IllegalStateException if this service has been released
     */
    <R> TaskFuture<R> supply(String name, Callable<? extends R> work,
            Consumer<? super R> cleanup, EventContext context);

    /**
     * The other way: a stage some library returned becomes a task named
     * {@code name}, in flight until the stage completes, whose outcome is
     * delivered on {@code context} as a {@link TaskFuture}, with the task's
     * ownership: when this service's bundle releases it, the task is disposed,
     * the future cancelled and the stage cancelled too (when it is a
     * {@link java.util.concurrent.Future}). Cancelling the returned future
     * cancels the stage likewise. An OSGi {@code Promise} becomes one through
     * its {@code toCompletionStage()}.
     *
     * @param <R> the type of the result
     * @param name the task's name, for diagnostics; not blank
     * @param stage the outcome to deliver; not null
     * @param cleanup releases a result that cannot reach the future (as for {@link #supply}), or null
     * @param context where the future completes, or null for the default context
     * @return the task's future
     * @throws NullPointerException if {@code name} or {@code stage} is null
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws IllegalStateException if this service has been released
     */
    <R> TaskFuture<R> adopt(String name, CompletionStage<? extends R> stage,
            Consumer<? super R> cleanup, EventContext context);

    /**
     * A callback-style task as a future: calls {@code start} with a callback
     * that completes the returned future, and {@code start} starts the task
     * with it, as any operation takes one:
     * {@code tasks.future((TaskCallback<SocketAddress, Connection> done) -> Connector.connect(tasks, address, options, context, done))}
     * (Java infers a lambda's parameter type from the call, not from what
     * the lambda returns: the callback's type is written out, or given as
     * {@code tasks.<SocketAddress, Connection>future(done -> ..)}).
     * The future completes on the thread the task's callback runs on (the
     * task's context), which is also the future's {@link TaskFuture#context()}.
     * Cancelling the future cancels the task (interrupting its worker for
     * {@code cancel(true)}), as for {@link #supply}.
     * <p>
     * <b>Ownership of the result.</b> When the callback runs, the result is
     * {@linkplain Task#takeResult() taken} from the task together with the
     * cleanup it was set with; if it then reaches the future it is the
     * taker's; if it cannot (the future was cancelled or completed first),
     * or it is a {@code thenCompose} step's result that cannot reach the
     * composed stage, that cleanup releases it, exactly once.
     *
     * @param <S> the type of the task's source
     * @param <R> the type of the task's result
     * @param start starts the task with the given callback and returns it,
     *        in the calling thread; its exception propagates; not null
     * @return the future of the task {@code start} returned
     * @throws NullPointerException if {@code start} is null or returns null
     * @since 1.1
     */
    <S, R> TaskFuture<R> future(Function<? super TaskCallback<S, R>, ? extends Task<S, R>> start);

    /**
     * Reports an error as a finished task, in one call:
     * {@code g_task_report_error}. Creates a task of {@code source} and
     * {@code callback} with {@code error} set, tagged with {@code sourceTag},
     * and completes it on a later iteration of {@code context}
     * ({@link Task#completeLater()}), so the callback never runs inside the
     * caller's own call, as for any operation that fails late.
     *
     * @param <S> the type of the source
     * @param <R> the type of the result
     * @param source the task's source; not null
     * @param callback receives the task, whose {@code propagateError()} returns {@code error}; not null
     * @param sourceTag the tag ({@link Task#sourceTag()}), or null
     * @param error the error; not null
     * @param context where the callback runs, or null for the default context
     * @return the task, already completing
     * @throws NullPointerException if {@code source}, {@code callback} or {@code error} is null
     * @throws IllegalStateException if this service has been released
     * @since 1.1
     */
    default <S, R> Task<S, R> reportError(S source, TaskCallback<S, R> callback, Object sourceTag, Throwable error,
            EventContext context) {
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(error, "error");
        Task<S, R> task = builder(source, callback).sourceTag(sourceTag).context(context).create();
        task.setError(error);
        task.completeLater();
        return task;
    }

    /**
     * Makes a group of tasks that are cancelled together, with an optional
     * deadline and cancel-on-first-failure (see {@link TaskGroup}). Its
     * tasks belong to this service's owner, as every task of this service.
     *
     * @param name the group's name, shown by {@code task:tasks}; not blank, no {@code /}
     * @return the new, open group
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank or has a {@code /}
     * @throws IllegalStateException if this service has been released
     */
    TaskGroup group(String name);

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
         * Cancels the task, interrupting its worker, if it has not finished
         * when {@code timeout} has passed since {@link #create()}, with the
         * reason {@code deadline of TIMEOUT passed}. The timer runs on the
         * default context and is removed when the task finishes.
         *
         * @param timeout how long the task may take; positive
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        Builder<S, R> deadline(Duration timeout);

        /**
         * Sets a tag that tells operations apart, read back by
         * {@link Task#sourceTag()}: {@code g_task_set_source_tag} (upstream
         * tags with the address of the starting function; here any object,
         * such as the operation's class).
         *
         * @param tag the tag, or null for none
         * @return this builder
         * @since 1.1
         */
        Builder<S, R> sourceTag(Object tag);

        /**
         * Creates the task; the builder may be reused afterwards.
         *
         * @return the new task, in state {@link TaskState#PENDING}
         * @throws IllegalStateException if the service has been released (the
         *         {@link #cleanup cleanup} has then run, as for {@link TaskService#create})
         */
        Task<S, R> create();

        /**
         * Sets the task's priority, read back by {@link Task#priority()}:
         * {@code g_task_set_priority} (GTask allows it until the task runs;
         * here it is set at creation). Of the workers waiting for a thread
         * of the runner, those of a higher priority (a lower number) run
         * first, and of the completions pending on the task's context, too;
         * FIFO within a priority. Workers wait only while the runner's
         * platform threads are all busy: with virtual threads, only while
         * they compute (behind waiting ones every worker gets a thread at
         * once, and only the completions are ordered). {@link Priority#DEFAULT},
         * the default, takes the runtime's usual path, at no cost.
         *
         * @param priority any {@code int}; see {@link Priority}
         * @return this builder
         * @since 1.1
         */
        Builder<S, R> priority(int priority);
    }
}
