package task.impl.core;

import task.api.IoCallback;
import task.api.Task;
import task.impl.loop.Described;

/**
 * The event or I/O callback of a timer or watch attached to a task
 * ({@code Task.attachTimer}, {@code attachWatch}): runs the user's code and
 * names the task in the context's diagnostics (what a busy context runs,
 * the stall report), as {@code g_task_attach_source} names the source after
 * the task.
 */
final class AttachedSource implements Runnable, IoCallback, Described {
    private final Task<?, ?> task;
    private final String kind;
    private final Runnable event;
    private final IoCallback callback;

    AttachedSource(Task<?, ?> task, String kind, Runnable event, IoCallback callback) {
        this.task = task;
        this.kind = kind;
        this.event = event;
        this.callback = callback;
    }

    @Override
    public void run() {
        event.run();
    }

    @Override
    public boolean onReady(int readyOps) {
        return callback.onReady(readyOps);
    }

    @Override
    public String description() {
        return "the " + kind + " of task '" + task.name() + "' (#" + task.id() + ")";
    }
}
