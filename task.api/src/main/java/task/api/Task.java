package task.api;

import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One long or blocking operation on a source object, reporting its success
 * or failure to a {@link TaskCallback}: the port of QEMU's {@code QIOTask}.
 * <p>
 * A task is created by {@link TaskService#create}; the operation then either
 * completes it directly ({@link #complete()}, for example from a timer or an
 * I/O watch on an {@link EventContext}) or runs a {@link TaskWorker} with
 * {@link #runInThread}, whose completion is delivered on an event context.
 * Either way the callback runs exactly once, or never if the task is
 * {@linkplain #dispose() disposed} first.
 * <p>
 * <b>Finishing.</b> After the callback returns (or instead of it, on
 * disposal) the task finishes and releases, exactly once and in this order:
 * the worker's cleanup, the callback's cleanup, the result's cleanup, an
 * error nobody {@linkplain #propagateError() took} (logged at debug level),
 * and finally its reference on the source. A cleanup that throws does not
 * stop the others.
 * <p>
 * <b>Use after finishing.</b> Upstream leaves a freed task undefined; here
 * every method except {@link #id()}, {@link #name()}, {@link #state()},
 * {@link #isCancelled()}, {@link #cancel(boolean)} and {@link #dispose()}
 * throws {@link IllegalStateException} once the task has finished normally.
 * Once a task is cancelled or disposed, late calls from its operation are
 * tolerated instead, since the operation cannot avoid racing with the
 * canceller: {@link #complete()} does nothing, a late result's cleanup runs
 * at once, a late error is dropped.
 * <p>
 * <b>Threading.</b> All methods may be called from any thread. The task's
 * error and result are guarded by the task, so a worker and a canceller may
 * race safely.
 *
 * @param <S> the type of the source object
 * @param <R> the type of the result
 */
@ProviderType
public interface Task<S, R> {

    /**
     * The task's identifier, unique within its runtime, for diagnostics and
     * {@link TaskInspector#cancel(long)}. Usable at any time.
     *
     * @return a positive identifier
     */
    long id();

    /**
     * The task's name for diagnostics, as given to
     * {@link TaskService.Builder#name(String)} or {@code "task-" + id()}.
     * Usable at any time.
     *
     * @return the name
     */
    String name();

    /**
     * Where the task stands now. Usable at any time; the answer may be stale
     * as soon as it is returned when other threads drive the task.
     *
     * @return the current state
     */
    TaskState state();

    /**
     * The object the operation runs on: {@code qio_task_get_source}. The task
     * holds a strong reference to it until it finishes; the caller gets no
     * reference of its own and must keep one itself to use the source beyond
     * the task's life.
     *
     * @return the source given at creation
     * @throws IllegalStateException if the task has finished
     */
    S source();

    /**
     * Runs {@code worker} on the {@link ThreadRunner} and delivers the
     * completion on the runtime's default context:
     * {@code qio_task_run_in_thread(task, worker, NULL, NULL, NULL)}.
     *
     * @param worker the blocking work
     * @throws IllegalStateException as {@link #runInThread(TaskWorker, Runnable, EventContext)}
     * @see #runInThread(TaskWorker, Runnable, EventContext)
     */
    default void runInThread(TaskWorker<S, R> worker) {
        runInThread(worker, null, null);
    }

    /**
     * Runs {@code worker} on the {@link ThreadRunner}; when it returns, the
     * completion is posted to {@code context} and the callback runs on the
     * thread driving that context, never on the worker's thread:
     * {@code qio_task_run_in_thread}.
     * <p>
     * The worker's data is whatever the worker captures; {@code cleanup}
     * releases it when the task finishes, after the callback, so that the
     * callback may still read the worker's data (as upstream).
     * <p>
     * This method returns at once. If the runner refuses the worker (it is
     * stopped), the worker never runs and the task completes on
     * {@code context} with the {@link java.util.concurrent.RejectedExecutionException}
     * as its error. If {@code context} is closed when the worker returns, the
     * task is disposed (see {@link EventContext#close()}).
     * <p>
     * Differences from upstream: workers run on a pool (and, past its waiting
     * threads, on virtual threads) rather than one new OS thread each; on a task already cancelled or
     * disposed, the worker never runs and {@code cleanup} runs at once, in
     * this thread; the task then counts as running in a thread whose worker
     * has returned, so that {@link #waitThread()} after this call waits for
     * the task's end and returns, as after any other.
     * <p>
     * Happens-before: this call happens-before the worker runs; the worker's
     * actions happen-before the callback.
     *
     * @param worker the blocking work
     * @param cleanup releases the worker's data when the task finishes, or null
     * @param context where the callback runs, or null for the default context
     * @throws IllegalStateException if the task already runs in a thread, is
     *         completing, or has finished
     */
    void runInThread(TaskWorker<S, R> worker, Runnable cleanup, EventContext context);

    /**
     * Runs the callback now, in the calling thread, then finishes the task:
     * {@code qio_task_complete}. For tasks whose operation completes them
     * itself (from a timer, an I/O watch, or inline); a task running in a
     * thread completes through its context or {@link #waitThread()} instead.
     * <p>
     * Errors: an exception thrown by the callback, or else the first one
     * thrown by a cleanup, is rethrown here after the task has finished;
     * later cleanup failures are added to it as suppressed.
     * On a cancelled or disposed task this does nothing.
     *
     * @throws IllegalStateException if the task runs in a thread, is already
     *         completing (for instance, when called from its own callback),
     *         or has finished
     */
    void complete();

    /**
     * Records a failure of the operation: {@code qio_task_set_error}.
     * A null error does nothing. Only the first error is kept and returned by
     * {@link #propagateError()}; unlike upstream, which frees later errors,
     * each later one is added to the first as a
     * {@linkplain Throwable#addSuppressed(Throwable) suppressed} exception.
     * Safe from any thread, including a worker racing a canceller.
     *
     * @param error the failure, or null
     * @throws IllegalStateException if the task has finished normally
     */
    void setError(Throwable error);

    /**
     * Sets {@code error} with its message prefixed:
     * {@code g_task_return_prefixed_error}, for an operation that adds where
     * it failed ({@code "connect 10.0.0.1:80: "}) to an error from below.
     * Java messages are fixed, so the task's error is a new exception of the
     * same class whose message is {@code prefix + error.getMessage()}, with
     * {@code error} as its cause and its stack trace; if that class has no
     * public constructor taking a message (and a cause), {@code error}
     * itself is set, with the prefix attached to it as a suppressed
     * exception. Otherwise as {@link #setError(Throwable)}.
     *
     * @param prefix prepended to the message; not null
     * @param error the error; null does nothing, as for {@code setError}
     * @throws NullPointerException if {@code prefix} is null
     * @throws IllegalStateException as {@link #setError(Throwable)}
     * @since 1.1
     */
    void setPrefixedError(String prefix, Throwable error);

    /**
     * Hands the task's error to the caller and clears it:
     * {@code qio_task_propagate_error}. The very object given to
     * {@link #setError} (or thrown by the worker) is returned; a second call
     * returns null. For a cancelled task this is a
     * {@link TaskCancelledException}, carrying any earlier error as
     * suppressed, from the moment {@link #cancel(boolean, String)} succeeds:
     * a call before the cancelled callback runs takes the very exception the
     * callback would have seen, and the callback then gets null (or an error
     * the worker set after that call).
     * <p>
     * Happens-before: guarded by the task, as {@link #setError}; a
     * successful cancel happens-before a call that returns its exception.
     *
     * @return the error, or null if there is none (any more)
     * @throws IllegalStateException if the task has finished
     */
    Throwable propagateError();

    /**
     * Attaches a result to the task: {@code qio_task_set_result_pointer}.
     * A previous result is replaced and, unlike upstream (which leaks it),
     * its cleanup runs now, in the calling thread. A cleanup belongs to its
     * result, not to the call: setting the same object again keeps the object
     * and replaces its cleanup, and only the newer cleanup runs (releasing an
     * object that is still the result would be wrong). The result's cleanup
     * runs when the task finishes, after the callback.
     *
     * @param result the result, or null
     * @param cleanup releases {@code result} when the task finishes, or null
     * @throws IllegalStateException if the task has finished normally
     */
    void setResult(R result, Consumer<? super R> cleanup);

    /**
     * Attaches a result without a cleanup: {@code setResult(result, null)}.
     *
     * @param result the result, or null
     * @throws IllegalStateException if the task has finished normally
     */
    default void setResult(R result) {
        setResult(result, null);
    }

    /**
     * The result attached by the operation: {@code qio_task_get_result_pointer}.
     * Ownership stays with the task; the result's cleanup runs when the task
     * finishes.
     *
     * @return the result, or null if none was set or the task was cancelled
     * @throws IllegalStateException if the task has finished
     */
    R result();

    /**
     * Takes the result out of the task: {@code g_task_propagate_pointer},
     * which steals it. From now on the caller owns the result, whatever its
     * type: its cleanup will not run, and {@link #result()} returns null.
     * Usually called from the callback; a result set later is the task's
     * again.
     *
     * @return the result, or null if none was set, it was taken already or
     *         the task was cancelled
     * @throws IllegalStateException if the task has finished
     * @since 1.1
     */
    R takeResult();

    /**
     * Cancels the task (upstream has no cancellation): {@code cancel(interruptWorker, null)}.
     *
     * @param interruptWorker whether to interrupt a running worker
     * @return true if this call cancelled the task
     * @see #cancel(boolean, String)
     */
    default boolean cancel(boolean interruptWorker) {
        return cancel(interruptWorker, null);
    }

    /**
     * Cancels the task (upstream has no cancellation). From any thread.
     * <ul>
     * <li>Before its worker starts: the worker never runs.</li>
     * <li>While its worker runs: {@link #isCancelled()} turns true and, if
     * {@code interruptWorker}, the worker's thread is interrupted.</li>
     * <li>The {@linkplain #onCancel(Runnable) cancel hooks} run in this thread
     * before this method returns.</li>
     * <li>The callback then runs exactly once, on the task's context, with a
     * {@link TaskCancelledException} (carrying {@code reason}) from
     * {@link #propagateError()}; it does not wait for a running worker. If a
     * thread waits in {@link #waitThread()}, that thread is woken and runs the
     * callback instead, at once. The task finishes when both the callback and
     * the worker have returned, on the thread that returns last; a result the
     * worker sets meanwhile is cleaned up then.</li>
     * <li>A worker still queued (no runner thread has taken it) is dropped:
     * it never runs, and the task finishes as soon as its callback has
     * returned, without waiting for a runner thread.</li>
     * <li>A task that is not running in a thread delivers its cancelled
     * callback on the context given to {@link TaskService.Builder#context},
     * or the default context.</li>
     * </ul>
     *
     * @param interruptWorker whether to interrupt a running worker
     * @param reason why, for the exception's message, or null
     * @return true if this call cancelled the task; false if it was already
     *         cancelled, disposed, completing or finished
     */
    boolean cancel(boolean interruptWorker, String reason);

    /**
     * Registers an action to run once if the task is cancelled or disposed:
     * how an operation that completes the task itself (from timers or I/O
     * watches rather than a worker) learns to stop and release what it holds.
     * The hook runs in the thread that cancels or disposes the task, as soon
     * as the cancellation takes effect; at once, in this thread, if the task
     * is already cancelled or disposed; never if the task completes otherwise.
     * A hook that throws is reported to the log.
     *
     * @param hook the action
     * @throws IllegalStateException if the task has finished normally
     */
    void onCancel(Runnable hook);

    /**
     * Whether the task was cancelled or disposed; the flag a worker polls.
     * Usable at any time.
     *
     * @return true once {@link #cancel(boolean)} or {@link #dispose()} succeeded
     */
    boolean isCancelled();

    /**
     * Ends the task without ever running its callback: the newer upstream
     * "free without complete". From any thread. A running worker is
     * interrupted and its result discarded; every cleanup still runs exactly
     * once: at once if no worker is running (a worker still queued is
     * dropped and never runs), otherwise on the worker's thread when it
     * returns. A cleanup's exception is reported to the log, not thrown.
     *
     * @return true if this call prevented the callback; false if the callback
     *         already ran or is running, or the task was already disposed
     */
    boolean dispose();

    /**
     * Waits for the worker to return and runs the completion in the calling
     * thread instead of on the context: {@code qio_task_wait_thread}. The
     * task has finished when this returns.
     * <p>
     * Safe from any thread, the context's own included (upstream documents a
     * race when called off the context's thread; there is none here): the
     * callback runs exactly once, in this thread, and never also on the
     * context. Only if the context had already begun the completion before
     * this call (or the task was cancelled and its callback delivered early)
     * does this wait for that completion to finish instead.
     * <p>
     * Cancellation: if the task is cancelled before or while this waits, and
     * nobody has begun its callback yet, the cancelled callback runs in this
     * thread at once, without waiting for a running worker (as
     * {@link #cancel(boolean, String)} promises); this then still waits for
     * the worker to return and every cleanup to run, so that the task has
     * finished when this returns. On a disposed task, this waits until the
     * task has finished (its worker returned and every cleanup ran) and
     * returns. That holds after any {@link #runInThread} call, including one
     * that turned its worker away because the task was already cancelled or
     * disposed. On a task that has already finished, it returns at once.
     * (Upstream forbids waiting on a completed task; here that would make
     * {@code runInThread(...); waitThread();} racy for a caller off the
     * context's thread, so it is allowed.)
     * <p>
     * The wait is not interruptible, as upstream; an interrupt is kept and
     * re-asserted on return. A callback's or cleanup's exception is rethrown
     * as in {@link #complete()} if it ran in this thread (otherwise it is
     * reported to the log by the thread that ran it).
     * <p>
     * Happens-before: everything the worker, the callback and the cleanups
     * did happens-before this method returns.
     *
     * @throws IllegalStateException if the task does not run in a thread
     *         ({@link #runInThread} was never called), is
     *         waited for by another thread, or is called from its own worker
     *         or callback
     */
    void waitThread();

    // ------------------------------------------------------------------ GTask's features (since 1.1)

    /**
     * Runs {@code worker} on the {@link ThreadRunner}, waits for it in the
     * calling thread and hands its outcome to the caller:
     * {@code g_task_run_in_thread_sync} followed by
     * {@code g_task_propagate_pointer}. The callback given at creation does
     * not run (as upstream's sync run does not call it); the task finishes
     * before this returns, with every cleanup run exactly once: the worker's
     * {@code cleanup} and the callback data's, but not the result's, since
     * the result is the caller's from then on.
     * <p>
     * Cancelling the task from another thread, as for
     * {@link #waitThread()}, ends this at once with a
     * {@link TaskCancelledException} (or, with
     * {@link #setReturnOnCancel(boolean) setReturnOnCancel(false)}, once the
     * worker returns). The wait is not interruptible; an interrupt is kept.
     * <p>
     * Happens-before: everything the worker and the cleanups did
     * happens-before this method returns or throws.
     *
     * @param worker the blocking work; not null
     * @param cleanup releases the worker's data when the task finishes, or null
     * @return the result the worker set (null if none); the caller owns it
     * @throws TaskCancelledException if the task was cancelled, or disposed
     *         (its owner released it) before it completed
     * @throws Exception the very error the worker set or threw (an
     *         {@link Error} is thrown as itself; another {@code Throwable}
     *         inside an {@link java.util.concurrent.ExecutionException})
     * @throws IllegalStateException if the task already runs in a thread,
     *         is completing, or has finished, or when called from its own
     *         worker
     * @throws NullPointerException if {@code worker} is null
     * @since 1.1
     */
    R runInThreadSync(TaskWorker<S, R> worker, Runnable cleanup) throws Exception;

    /**
     * Whether a cancelled task's callback comes at once, while its worker
     * may still run (true, the default here, as in 1.0), or only after the
     * worker has returned (false: GTask's default); the worker may toggle it
     * around a section whose state the callback must not free:
     * {@code g_task_set_return_on_cancel}. It matters only for a task
     * running in a thread (the callback of another cancelled task comes at
     * once). The toggle and a concurrent {@link #cancel} are atomic with
     * respect to each other: either the cancel sees the new setting, or this
     * call returns false.
     * <p>
     * Threading: any thread, usually the worker's.
     *
     * @param returnOnCancel true to let a cancellation deliver the callback
     *        at once, false to hold it until the worker returns
     * @return true if the setting now holds for a cancellation to come;
     *         false if the task has already been cancelled (a worker that
     *         asked for false must then stop: its callback may have run).
     *         Turning it on in a cancelled task delivers the held callback.
     * @since 1.1
     */
    boolean setReturnOnCancel(boolean returnOnCancel);

    /**
     * Whether a cancellation replaces the task's outcome (true, the
     * default) or a worker that returns after a cancel keeps what it set,
     * its result or error reaching the callback as if no cancel had come
     * (false): {@code g_task_set_check_cancellable}. It takes effect where
     * the callback waits for the worker, that is with
     * {@link #setReturnOnCancel(boolean) setReturnOnCancel(false)};
     * {@link #isCancelled()} stays true either way.
     * <p>
     * Threading: any thread, before the callback runs.
     *
     * @param checkCancellable false to keep the worker's value despite a cancellation
     * @since 1.1
     */
    void setCheckCancellable(boolean checkCancellable);

    /**
     * Completes the task on a later iteration of its context, whichever
     * thread calls it, from inside the loop or not: GTask's return semantics
     * ({@code g_task_return_*} never runs the callback before the current
     * iteration ends), as an explicit choice beside {@link #complete()},
     * which runs the callback in the calling thread as QIOTask does. The
     * context is the one given to the builder (or the default context).
     * A second call, or a {@code complete()} after it, does nothing more
     * than the first; on a cancelled or disposed task it does nothing. If
     * the context is closed the task is disposed.
     * <p>
     * Happens-before: this call happens-before the callback.
     *
     * @throws IllegalStateException if the task runs in a thread (its
     *         context completes it) or has finished
     * @since 1.1
     */
    void completeLater();

    /**
     * Schedules {@code event} on the task's context after {@code delay}, as
     * a timer that belongs to the task: {@code g_task_attach_source} with a
     * timeout source. It is named after the task in the context's
     * diagnostics ({@code task:contexts}, the stall report) and removed
     * when the task finishes, if it has not fired by then; on a finished
     * task it is never scheduled.
     *
     * @param delay from now; not null, not negative
     * @param event runs once on the context's thread; not null
     * @return the timer, which may also be cancelled by hand
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws java.util.concurrent.RejectedExecutionException if the context is closed
     * @throws IllegalStateException if the task has finished
     * @since 1.1
     */
    EventSource attachTimer(Duration delay, Runnable event);

    /**
     * Watches {@code channel} on the task's context, as a watch that belongs
     * to the task: {@code g_task_attach_source} with a socket source. Named
     * after the task as {@link #attachTimer} is, and removed when the task
     * finishes.
     *
     * @param channel a non-blocking channel; not null
     * @param ops the {@link java.nio.channels.SelectionKey} operations to watch
     * @param callback as for {@link EventContext#watch}; not null
     * @return the watch, which may also be cancelled by hand
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException as {@link EventContext#watch}
     * @throws java.util.concurrent.RejectedExecutionException if the context is closed
     * @throws IllegalStateException if the task has finished
     * @since 1.1
     */
    EventSource attachWatch(SelectableChannel channel, int ops, IoCallback callback);

    /**
     * The tag set at creation ({@link TaskService.Builder#sourceTag}) to
     * tell operations apart: {@code g_task_get_source_tag}.
     *
     * @return the tag, or null if none was set
     * @since 1.1
     */
    Object sourceTag();

    /**
     * Replaces the cleanup of the callback's data, given at creation: the
     * previous one runs now, in the calling thread, and the new one when the
     * task finishes: {@code g_task_set_task_data}, which frees the previous
     * data at once.
     *
     * @param cleanup the new cleanup, or null for none
     * @throws IllegalStateException if the task has finished (the cleanups ran)
     * @since 1.1
     */
    void setCleanup(Runnable cleanup);

    /**
     * The task's priority, set at creation
     * ({@link TaskService.Builder#priority(int)}): {@code g_task_get_priority}.
     * It orders the task's worker among the workers waiting for a thread of
     * the {@link ThreadRunner} (in a platform pool that is full; with virtual
     * threads no worker waits) and its completion, a cancelled one included,
     * among the events pending on its context
     * ({@link EventContext#post(Runnable, int)}). A completion run by
     * {@link #waitThread()} or {@link #complete()} runs in the calling
     * thread, unordered.
     * <p>
     * Threading: any thread, also once the task has finished. Never throws.
     *
     * @return the priority ({@link Priority}); {@link Priority#DEFAULT} unless one was set
     * @since 1.1
     */
    int priority();
}
