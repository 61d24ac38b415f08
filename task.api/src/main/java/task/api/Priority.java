package task.api;

/**
 * Priorities of tasks and of posted events, GLib's {@code G_PRIORITY_*}
 * with GLib's values: a lower number runs first, and events or workers of
 * one priority run in the order they were posted or queued. Any {@code int}
 * is a priority; these are the usual ones.
 * <p>
 * A task's priority ({@link TaskService.Builder#priority(int)},
 * {@code g_task_set_priority}) orders its worker among the workers waiting
 * for a thread of the {@link ThreadRunner} and its completion among the
 * events pending on its {@link EventContext}; a job's own
 * ({@link ThreadRunner#execute(Runnable, int)}) orders it among the jobs
 * waiting for a thread; an event's ({@link EventContext#post(Runnable, int)})
 * among the events pending on its context. Priorities order what waits; they never preempt
 * what runs, and they are not thread priorities.
 * <p>
 * Threading: constants only.
 *
 * @since 1.1
 */
public final class Priority {
    /** Before the default: {@code G_PRIORITY_HIGH}. */
    public static final int HIGH = -100;
    /**
     * The priority of every task and event unless one is given:
     * {@code G_PRIORITY_DEFAULT}. Work of this priority takes the runtime's
     * usual path, which priorities cost nothing.
     */
    public static final int DEFAULT = 0;
    /**
     * After the default: {@code G_PRIORITY_HIGH_IDLE} (in GTK, resizing and
     * redrawing).
     */
    public static final int HIGH_IDLE = 100;
    /** After {@link #HIGH_IDLE}: {@code G_PRIORITY_DEFAULT_IDLE}, the priority of GLib's idle sources. */
    public static final int DEFAULT_IDLE = 200;
    /** Last of these: {@code G_PRIORITY_LOW}. */
    public static final int LOW = 300;

    private Priority() {
    }
}
