package task.api;

/**
 * Where a task stands, as reported by {@link Task#state()} and
 * {@link TaskInfo#state()}. A task moves forward through these states; the
 * only terminal one is {@link #FINISHED}.
 */
public enum TaskState {
    /** Created; its operation has neither completed it nor started a worker. */
    PENDING,
    /** Handed to the thread runner; its worker has not started yet. */
    QUEUED,
    /** Its worker is running. */
    RUNNING,
    /** Its worker has returned; the completion waits on its event context. */
    SCHEDULED,
    /**
     * Cancelled; its cancelled completion or its worker has not returned yet,
     * or both have and its cleanups are running.
     */
    CANCELLED,
    /** Its callback is running, or has returned and its cleanups are running. */
    COMPLETING,
    /** Disposed; its running worker has not returned yet, or its cleanups are running. */
    DISPOSED,
    /**
     * Finished: every cleanup has run and the source is released. (The
     * task's data methods already throw {@link IllegalStateException} while
     * the cleanups run, in the state the task finishes from.)
     */
    FINISHED
}
