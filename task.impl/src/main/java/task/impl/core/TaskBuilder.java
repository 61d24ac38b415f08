package task.impl.core;

import java.util.Objects;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskService;

/** Collects a task's options; see {@link TaskService.Builder}. Not thread-safe. */
final class TaskBuilder<S, R> implements TaskService.Builder<S, R> {
    private final TaskFactory factory;
    private final S source;
    private final TaskCallback<S, R> callback;
    private String name;
    private Runnable cleanup;
    private EventContext context;

    TaskBuilder(TaskFactory factory, S source, TaskCallback<S, R> callback) {
        this.factory = factory;
        this.source = source;
        this.callback = callback;
    }

    @Override
    public TaskService.Builder<S, R> name(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("task builder: name must not be blank, got '" + name + "'");
        }
        this.name = name;
        return this;
    }

    @Override
    public TaskService.Builder<S, R> cleanup(Runnable cleanup) {
        this.cleanup = cleanup;
        return this;
    }

    @Override
    public TaskService.Builder<S, R> context(EventContext context) {
        this.context = context;
        return this;
    }

    @Override
    public Task<S, R> create() {
        return factory.create(source, callback, cleanup, name, context);
    }
}
