package task.api;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A task's outcome as a future: a {@link CompletionStage} and a
 * {@link Future} (the implementation is a {@code CompletableFuture}, which
 * {@link #toCompletableFuture()} returns as itself), made by
 * {@link TaskService#supply} and {@link TaskService#adopt}.
 *
 * <h2>What it adds to a plain future</h2>
 * <ul>
 * <li><b>Delivery on the task's context.</b> The future is completed on the
 * thread of {@link #context()}, from the task's callback, so the actions
 * chained to it before it completes ({@code thenApply}, {@code thenAccept},
 * ...) run there too. Their {@code *Async} variants without an executor run
 * on that context whenever they are chained: it is the future's default
 * executor.</li>
 * <li><b>Cancellation reaches the task.</b> {@code cancel(true)} cancels the
 * task and interrupts its worker, {@code cancel(false)} cancels it without
 * the interrupt; completing the future from outside ({@code complete},
 * {@code completeExceptionally}, {@code orTimeout}, {@code completeOnTimeout})
 * cancels the task as {@code cancel(true)} does. Cancelling a future chained
 * from this one (every stage chained from a {@code TaskFuture} is one)
 * cancels this one while it is not done, and so the whole chain back to the
 * task; a stage returned by a {@code thenCompose} function is cancelled with
 * the chain (when it is a {@link Future}).</li>
 * <li><b>Ownership.</b> The task belongs to the bundle of the
 * {@link TaskService} that made it: when that bundle releases the service, the
 * task is disposed and the future cancelled. A result that reaches the future
 * belongs to whoever takes it from the future; a result that cannot reach it
 * (the future was cancelled or completed first, or the task was disposed) is
 * handed to the result's cleanup, exactly once.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * A worker's exception completes the future exceptionally with that
 * exception (wrapped in a {@code CompletionException} by the stages chained
 * to it, as for any {@code CompletableFuture}); a cancelled task completes it
 * with a {@link TaskCancelledException}, so {@link #isCancelled()} is true.
 *
 * <h2>Happens-before</h2>
 * Everything the worker did happens-before the future completes; the
 * completion happens-before the actions chained to it run and
 * {@code get()}/{@code join()} return, as for any {@code CompletableFuture}.
 * Threading: every method may be called from any thread.
 *
 * @param <R> the type of the result
 */
@ProviderType
public interface TaskFuture<R> extends CompletionStage<R>, Future<R> {

    /** @return the id of the task behind this future, as {@code task:tasks} and {@link TaskInspector} show it */
    long taskId();

    /** @return the context this future is completed on and runs its default {@code *Async} actions on; not null */
    EventContext context();
}
