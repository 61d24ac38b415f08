package task.impl.core;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskFuture;
import task.api.TaskGroup;
import task.api.TaskService;

/** The task service of a {@link TaskGroupImpl}: everything it makes belongs to the group. */
final class GroupTasks implements TaskService {
    private final TaskGroupImpl group;

    GroupTasks(TaskGroupImpl group) {
        this.group = group;
    }

    @Override
    public <S, R> Task<S, R> create(S source, TaskCallback<S, R> callback, Runnable cleanup) {
        return group.create(source, callback, cleanup, null, null);
    }

    @Override
    public <S, R> Builder<S, R> builder(S source, TaskCallback<S, R> callback) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(callback, "callback");
        return new TaskBuilder<>(group, source, callback);
    }

    @Override
    public TaskGroup group(String name) {
        return group.child(name);
    }

    @Override
    public <R> TaskFuture<R> supply(String name, Callable<? extends R> work, Consumer<? super R> cleanup,
            EventContext context) {
        return FutureTasks.supply(group, name, work, cleanup, context);
    }

    @Override
    public <S, R> TaskFuture<R> future(Function<? super TaskCallback<S, R>, ? extends Task<S, R>> start) {
        return FutureTasks.future(group, start);
    }

    @Override
    public <R> TaskFuture<R> adopt(String name, CompletionStage<? extends R> stage, Consumer<? super R> cleanup,
            EventContext context) {
        return FutureTasks.adopt(group, name, stage, cleanup, context);
    }

    @Override
    public EventContext defaultContext() {
        return group.defaultContext();
    }
}
