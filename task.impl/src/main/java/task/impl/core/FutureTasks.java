package task.impl.core;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskCancelledException;
import task.api.TaskFuture;

/**
 * Tasks whose outcome is a {@link TaskFuture}: {@code TaskService.supply}
 * (a worker's result), {@code TaskService.adopt} (a stage's) and
 * {@code TaskService.future} (a task started elsewhere with the future's
 * callback), built on
 * the public task API like any operation: the task's callback settles the
 * future on the task's context, a cancellation or disposal of the task
 * ({@code onCancel}) fails it, and cancelling the future cancels the task.
 */
final class FutureTasks {
    private FutureTasks() {
    }

    static <R> TaskFuture<R> supply(TaskCreator tasks, String name, Callable<? extends R> work,
            Consumer<? super R> cleanup, EventContext context) {
        Objects.requireNonNull(work, "work");
        EventContext target = target(tasks, name, context);
        TaskFutureImpl<R> future = new TaskFutureImpl<>(target, null);
        Task<Callable<? extends R>, R> task = tasks.create(work, future::settle, () -> future.fail(disposed(name)),
                name, target);
        future.bind(task);
        future.releaseUnreachedWith(cleanup);
        Consumer<R> release = future.unlessTaken(cleanup);
        try {
            task.runInThread(running -> running.setResult(work.call(), release), null, target);
        } catch (RuntimeException refused) {
            // The context refused the completion or the runner the job: nothing will run.
            task.dispose();
            throw refused;
        }
        return future;
    }

    static <R> TaskFuture<R> adopt(TaskCreator tasks, String name, CompletionStage<? extends R> stage,
            Consumer<? super R> cleanup, EventContext context) {
        Objects.requireNonNull(stage, "stage");
        EventContext target = target(tasks, name, context);
        TaskFutureImpl<R> future = new TaskFutureImpl<>(target, null);
        Task<CompletionStage<? extends R>, R> task = tasks.create(stage, future::settle,
                () -> future.fail(disposed(name)), name, target);
        future.bind(task);
        future.releaseUnreachedWith(cleanup);
        future.feedFrom(stage);
        task.onCancel(future::cancelInner); // cancelled or disposed: the stage need not go on
        Consumer<R> release = future.unlessTaken(cleanup);
        stage.whenComplete((value, error) -> {
            try {
                target.post(() -> settleAdopted(task, value, error, release));
            } catch (RejectedExecutionException closed) {
                // The context closed: nobody can take the result; the task goes, the result with it.
                task.dispose();
                releaseLate(value, release);
            }
        });
        return future;
    }

    static <S, R> TaskFuture<R> future(TaskCreator tasks,
            Function<? super TaskCallback<S, R>, ? extends Task<S, R>> start) {
        Objects.requireNonNull(start, "start");
        TaskFutureImpl<R> future = new TaskFutureImpl<>(tasks.defaultContext(), null);
        TaskCallback<S, R> settle = future::settleTaking;
        Task<S, R> task = start.apply(settle);
        if (task == null) {
            throw new NullPointerException("the start function of TaskService.future returned no task");
        }
        future.bind(task, task instanceof TaskImpl ? ((TaskImpl<S, R>) task).callbackContext() : tasks.defaultContext());
        return future;
    }

    /** On the context: the adopted stage's outcome becomes the task's, and the callback settles the future. */
    private static <R> void settleAdopted(Task<?, R> task, R value, Throwable error, Consumer<R> release) {
        try {
            if (error != null) {
                task.setError(error instanceof CompletionException && error.getCause() != null ? error.getCause()
                        : error);
            } else {
                task.setResult(value, release);
            }
            task.complete(); // does nothing on a cancelled task, whose callback already ran
        } catch (IllegalStateException finished) {
            // Disposed (its owner went away) and finished: the result cannot reach anyone.
            if (error == null) {
                releaseLate(value, release);
            }
        }
    }

    private static <R> void releaseLate(R value, Consumer<R> release) {
        if (release != null && value != null) {
            release.accept(value);
        }
    }

    private static EventContext target(TaskCreator tasks, String name, EventContext context) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a task future's name must not be blank");
        }
        return context != null ? context : tasks.defaultContext();
    }

    /**
     * The task's cleanup: after its callback the future is done and this does
     * nothing; a task disposed without its callback (its owner released the
     * service) leaves the future cancelled.
     */
    private static TaskCancelledException disposed(String name) {
        return new TaskCancelledException(name, "disposed before it completed");
    }
}
