package task.impl.core;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskFuture;

/**
 * A {@link TaskFuture}: a {@code CompletableFuture} completed by its task's
 * callback, on the task's context, whose cancellation (or completion from
 * outside) goes back to what feeds it.
 *
 * <h2>What feeds a future</h2>
 * One of: its task ({@code task}, for the future {@link FutureTasks} made);
 * the future it was chained from ({@code upstream}, for every stage chained
 * from a TaskFuture, since {@link #newIncompleteFuture()} makes them); the
 * stage a {@code thenCompose} function returned, or an adopted stage
 * ({@code inner}). The {@code CompletableFuture}'s own result is the only
 * state: internal completions ({@link #deliver}, {@link #fail}) call the
 * superclass; every completion from outside ({@code cancel},
 * {@code complete}, {@code completeExceptionally}, which {@code orTimeout}
 * and {@code completeOnTimeout} call) that wins then stops what feeds the
 * future: cancels the task (interrupting its worker, except for
 * {@code cancel(false)}), cancels the upstream future if it is not done, and
 * the inner stage if it is a {@link Future}.
 *
 * <h2>Happens-before</h2>
 * {@code task} and {@code inner} are volatile and written before the stage
 * they feed from can complete from outside, or (inner) checked again after
 * the write: a {@code thenCompose} step writes {@code inner}, then reads
 * {@code isDone()}; a canceller completes the future, then reads
 * {@code inner}; each sees the other's write (both volatile), so a step is
 * either cancelled by the canceller or by itself. {@code taken} is written
 * by the callback before the task finishes, and read by the result's
 * cleanup, which runs when it finishes (the task's state CAS orders them).
 */
final class TaskFutureImpl<R> extends CompletableFuture<R> implements TaskFuture<R> {
    /** Final but for a future of a task started elsewhere ({@link #bind(Task, EventContext)}). */
    private volatile EventContext context;
    private final TaskFutureImpl<?> upstream;
    private volatile Task<?, R> task;
    private volatile Future<?> inner;
    /** The result reached this future: its taker owns it, the task's result cleanup must not release it. */
    private volatile boolean taken;
    /**
     * Releases this future's result when a {@code thenCompose} that returned
     * this future cannot pass it on (the composed stage was done first), or
     * null; set before this future can complete.
     */
    private volatile Consumer<? super R> unreached;

    TaskFutureImpl(EventContext context, TaskFutureImpl<?> upstream) {
        this.context = context;
        this.upstream = upstream;
    }

    /** Attaches the task that completes this future; before anyone else sees the future. */
    void bind(Task<?, R> task) {
        this.task = task;
    }

    /**
     * Attaches the task of {@link FutureTasks#future} and the context its
     * callback runs on; in the thread that started it, before anyone else
     * sees the future (the callback may have completed it already).
     */
    void bind(Task<?, R> task, EventContext context) {
        this.context = context;
        this.task = task;
    }

    /** Sets what releases a result that a {@code thenCompose} cannot pass on; before this future completes. */
    void releaseUnreachedWith(Consumer<? super R> release) {
        this.unreached = release;
    }

    /** Attaches a stage that feeds this future, cancelled with it (if it is a future). */
    void feedFrom(CompletionStage<?> stage) {
        Future<?> future = asFuture(stage);
        inner = future;
        if (future != null && isDone() && !taken) {
            cancelQuietly(future, true); // completed from outside meanwhile
        }
    }

    /** Cancels the stage that feeds this future, if any: its task was cancelled or disposed. */
    void cancelInner() {
        cancelQuietly(inner, true);
    }

    @Override
    public long taskId() {
        Task<?, R> t = task;
        if (t != null) {
            return t.id();
        }
        return upstream == null ? -1 : upstream.taskId();
    }

    @Override
    public EventContext context() {
        return context;
    }

    // ------------------------------------------------------------------ the task's side

    /**
     * The task's callback, on its context: completes this future with the
     * task's outcome (a cancelled task's {@code TaskCancelledException} makes
     * it cancelled).
     */
    void settle(Task<?, R> done) {
        Throwable error = done.propagateError();
        if (error != null) {
            fail(error);
        } else {
            taken = deliver(done.result());
        }
    }

    /**
     * The callback of {@link FutureTasks#future}'s task, on its context: as
     * {@link #settle}, but the result is taken out of the task with its
     * cleanup, which then releases it only if it cannot reach this future.
     */
    void settleTaking(Task<?, R> done) {
        Throwable error = done.propagateError();
        if (error != null) {
            fail(error);
            return;
        }
        R value;
        Consumer<? super R> release;
        if (done instanceof TaskImpl) {
            TaskImpl.TakenResult<R> result = ((TaskImpl<?, R>) done).takeResultAndCleanup();
            value = result.value();
            release = result.cleanup();
        } else {
            value = done.takeResult(); // another runtime's task: its cleanup cannot be had, nor run
            release = null;
        }
        unreached = release;
        if (!deliver(value) && release != null && value != null) {
            release.accept(value);
        }
    }

    /**
     * Wraps a result's cleanup so that it releases the result only when it
     * did not reach this future.
     */
    Consumer<R> unlessTaken(Consumer<? super R> cleanup) {
        return cleanup == null ? null : value -> {
            if (!taken) {
                cleanup.accept(value);
            }
        };
    }

    boolean deliver(R value) {
        return super.complete(value);
    }

    boolean fail(Throwable error) {
        return super.completeExceptionally(error);
    }

    // ------------------------------------------------------------------ from outside

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean won = super.cancel(mayInterruptIfRunning);
        if (won) {
            stopFeeds(mayInterruptIfRunning, "its future was cancelled");
        }
        return won;
    }

    @Override
    public boolean complete(R value) {
        boolean won = super.complete(value);
        if (won) {
            stopFeeds(true, "its future was completed from outside");
        }
        return won;
    }

    @Override
    public boolean completeExceptionally(Throwable error) {
        boolean won = super.completeExceptionally(error);
        if (won) {
            stopFeeds(true, "its future failed from outside: " + error);
        }
        return won;
    }

    /**
     * Stops what feeds this future, after a completion from outside won: so
     * at most once per future. What it stops may be done already (a task
     * finished, an upstream completed): each step then does nothing.
     */
    private void stopFeeds(boolean interrupt, String reason) {
        Task<?, R> t = task;
        if (t != null) {
            t.cancel(interrupt, reason);
        }
        cancelQuietly(inner, interrupt);
        TaskFutureImpl<?> up = upstream;
        if (up != null && !up.isDone()) {
            up.cancel(interrupt);
        }
    }

    // ------------------------------------------------------------------ chaining

    /** Every stage chained from this one is a TaskFuture of the same context, fed by this one. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new TaskFutureImpl<>(context, this);
    }

    /** The {@code *Async} actions without an executor run on the context. */
    @Override
    public Executor defaultExecutor() {
        return context;
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(Function<? super R, ? extends CompletionStage<U>> fn) {
        return composed(fn, null);
    }

    @Override
    public <U> CompletableFuture<U> thenComposeAsync(Function<? super R, ? extends CompletionStage<U>> fn) {
        return thenComposeAsync(fn, context);
    }

    @Override
    public <U> CompletableFuture<U> thenComposeAsync(Function<? super R, ? extends CompletionStage<U>> fn,
            Executor executor) {
        return composed(fn, Objects.requireNonNull(executor, "executor"));
    }

    /**
     * The stage of a {@code thenCompose}, or of a {@code thenComposeAsync}
     * when {@code executor} is not null: fed by the stage {@code fn}
     * returns, which its cancellation reaches.
     */
    private <U> TaskFutureImpl<U> composed(Function<? super R, ? extends CompletionStage<U>> fn, Executor executor) {
        Objects.requireNonNull(fn, "fn");
        TaskFutureImpl<U> next = new TaskFutureImpl<>(context, this);
        if (executor == null) {
            whenComplete((value, error) -> next.compose(value, error, fn));
        } else {
            whenCompleteAsync((value, error) -> next.compose(value, error, fn), executor);
        }
        return next;
    }

    /** The step of a {@code thenCompose}: this is the composed future, {@code value} the upstream's result. */
    private <T> void compose(T value, Throwable error, Function<? super T, ? extends CompletionStage<R>> fn) {
        if (error != null) {
            fail(error instanceof CompletionException ? error : new CompletionException(error));
            return;
        }
        CompletionStage<R> step;
        try {
            step = Objects.requireNonNull(fn.apply(value), "the thenCompose function returned null");
        } catch (Throwable thrown) {
            fail(new CompletionException(thrown));
            return;
        }
        feedFrom(step);
        step.whenComplete((result, failure) -> {
            if (failure != null) {
                fail(failure instanceof CompletionException ? failure : new CompletionException(failure));
            } else if (!deliver(result) && step instanceof TaskFutureImpl) {
                // Cancelled (or completed) meanwhile: nobody else will take the step's result.
                ((TaskFutureImpl<R>) step).releaseUnreached(result);
            }
        });
    }

    private void releaseUnreached(R value) {
        Consumer<? super R> release = unreached;
        if (release != null && value != null) {
            release.accept(value);
        }
    }

    /** A stage's cancel may be refused ({@code minimalCompletionStage()}): it then runs to its end. */
    private static void cancelQuietly(Future<?> future, boolean interrupt) {
        if (future != null) {
            try {
                future.cancel(interrupt);
            } catch (UnsupportedOperationException refused) {
                // its result, if any, is dropped when it comes
            }
        }
    }

    private static Future<?> asFuture(CompletionStage<?> stage) {
        if (stage instanceof Future) {
            return (Future<?>) stage;
        }
        try {
            return stage.toCompletableFuture();
        } catch (UnsupportedOperationException notOne) {
            return null; // a stage that cannot be cancelled: it runs to its end, its result is dropped
        }
    }

    @Override
    public String toString() {
        Task<?, R> t = task;
        return "TaskFuture[" + (t != null ? "task #" + t.id() + " '" + t.name() + "'" : "chained") + ", "
                + (isDone() ? (isCompletedExceptionally() ? (isCancelled() ? "cancelled" : "failed") : "done")
                        : "pending")
                + "]";
    }
}
