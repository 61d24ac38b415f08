package task.api.metrics;

import java.util.Objects;

/**
 * What one open event context is doing and has done since it was created:
 * an event loop of the runtime, or a context adopted from an executor.
 *
 * @param name the context's name
 * @param pending posted events (completions included) waiting to run now;
 *        for an adopted executor, the runnables handed to it and not yet
 *        run, the one running included
 * @param lag from an event's post (a completion's included) to the start of
 *        its run, for a random sample of about one post in 16; an adopted
 *        executor's timer ticks and I/O callbacks count as posts too
 * @param busyNanos the total time spent dispatching (callbacks, events,
 *        timer ticks and I/O callbacks) since the context was created; an
 *        event loop adds a loop iteration's time when it ends, so a
 *        callback still running is not in it yet
 */
public record ContextStats(String name, int pending, Durations lag, long busyNanos) {

    /**
     * Checks the components.
     *
     * @param name not null
     * @param pending zero or more
     * @param lag not null
     * @param busyNanos zero or more
     */
    public ContextStats {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(lag, "lag");
    }
}
