package task.impl.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import task.api.EventContext;
import task.api.EventSource;
import task.api.Priority;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskService;

/** Collects a task's options; see {@link TaskService.Builder}. Not thread-safe. */
final class TaskBuilder<S, R> implements TaskService.Builder<S, R> {
    private final TaskCreator creator;
    private final S source;
    private final TaskCallback<S, R> callback;
    private String name;
    private Runnable cleanup;
    private EventContext context;
    private Duration deadline;
    private Object sourceTag;
    private int priority = Priority.DEFAULT;

    TaskBuilder(TaskCreator creator, S source, TaskCallback<S, R> callback) {
        this.creator = creator;
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
    public TaskService.Builder<S, R> deadline(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("task builder: deadline must be positive, got " + timeout);
        }
        this.deadline = timeout;
        return this;
    }

    @Override
    public TaskService.Builder<S, R> sourceTag(Object tag) {
        this.sourceTag = tag;
        return this;
    }

    @Override
    public TaskService.Builder<S, R> priority(int priority) {
        this.priority = priority;
        return this;
    }

    @Override
    public Task<S, R> create() {
        Task<S, R> task = createTask();
        if (task instanceof TaskImpl) {
            TaskImpl<S, R> created = (TaskImpl<S, R>) task;
            if (sourceTag != null) {
                created.setSourceTag(sourceTag);
            }
            if (priority != Priority.DEFAULT) {
                created.setPriority(priority);
            }
        }
        return task;
    }

    private Task<S, R> createTask() {
        if (deadline == null) {
            return creator.create(source, callback, cleanup, name, context);
        }
        // The timer goes with the task: its cleanup cancels it. A task that
        // finishes before the timer is set leaves a timer that finds it
        // finished and does nothing.
        AtomicReference<EventSource> timer = new AtomicReference<>();
        Runnable userCleanup = cleanup;
        Task<S, R> task = creator.create(source, callback, () -> {
            EventSource t = timer.getAndSet(null);
            if (t != null) {
                t.cancel();
            }
            if (userCleanup != null) {
                userCleanup.run();
            }
        }, name, context);
        Duration timeout = deadline;
        timer.set(creator.defaultContext().schedule(timeout,
                () -> task.cancel(true, "deadline of " + timeout + " passed")));
        return task;
    }
}
