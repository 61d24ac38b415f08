package task.impl.core;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;

/**
 * What makes tasks for builders and futures: an owner's {@link TaskFactory},
 * or a {@link TaskGroupImpl} that makes them through its owner's factory
 * and keeps track of them. Threading: any thread.
 */
interface TaskCreator {

    /**
     * Creates a task, as {@code TaskService.create} and its builder do,
     * taking {@code cleanup} over as they do: when it refuses the task it
     * runs {@code cleanup} before it throws.
     *
     * @throws IllegalStateException if the owner has been released, or the group closed
     */
    <S, R> Task<S, R> create(S source, TaskCallback<S, R> callback, Runnable cleanup, String name,
            EventContext context);

    /** @return where completions go when no context is named */
    EventContext defaultContext();
}
