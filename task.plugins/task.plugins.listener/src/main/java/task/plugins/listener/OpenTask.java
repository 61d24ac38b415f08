package task.plugins.listener;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskService;

/**
 * Lists an open resource of the echo service, a listener or a client, among
 * the runtime's tasks in flight, so that the shell's {@code task:tasks}
 * shows it and {@code task:cancel ID} closes it. The task is never run nor
 * completed: cancelling it, or disposing it (its owner bundle stopping, the
 * runtime closing), closes the resource through its {@link Task#onCancel}
 * hook, and the resource closing otherwise disposes it, so it leaves the list
 * with the resource.
 * <p>
 * The close action must be idempotent: it may run after the resource closed
 * by itself (disposing runs the hook), and the resource's close calls
 * {@link #closed()}, which is idempotent too. Threading: any thread; the
 * hook runs in the thread that cancels or disposes.
 */
final class OpenTask {
    private final Task<Object, Void> task;

    private OpenTask(Task<Object, Void> task) {
        this.task = task;
    }

    /**
     * Creates the task standing for {@code resource}.
     *
     * @param tasks the service of whoever asked for the resource: it owns the task
     * @param name the task's name, such as {@code echo 127.0.0.1:7777}
     * @param resource the task's source, which {@code task:tasks} shows
     * @param context where a cancellation's callback runs (it only takes the cancellation)
     * @param close closes the resource; idempotent
     * @return the task's handle
     */
    static OpenTask open(TaskService tasks, String name, Object resource, EventContext context, Runnable close) {
        Task<Object, Void> task = tasks.<Object, Void>builder(resource, done -> done.propagateError()).name(name)
                .context(context).create();
        task.onCancel(close);
        return new OpenTask(task);
    }

    /** The resource has closed: the task leaves the tasks in flight. Idempotent. */
    void closed() {
        task.dispose();
    }

    /** @return the task's id, as {@code task:tasks} lists it */
    long id() {
        return task.id();
    }
}
