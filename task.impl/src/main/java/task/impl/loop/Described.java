package task.impl.loop;

/**
 * An event, tick or I/O callback that names itself in a context's
 * diagnostics (what a busy context runs, the stall report) instead of by its
 * class: for sources that belong to a task. {@link #description()} must not
 * block or throw; it runs on whichever thread reports.
 */
public interface Described {
    /** @return what this is, such as {@code the timer of task 'probe' (#12)} */
    String description();
}
