package task.api.metrics;

import java.util.Objects;

/**
 * What one open event context is doing and has done since it was created.
 * The runtime of this release measures {@code pending}; {@code lag} is
 * {@link Durations#NONE} and {@code busyNanos} 0 until it measures them too.
 * Contexts adopted from an executor are not listed (their queue is the
 * executor's).
 *
 * @param name the context's name
 * @param pending posted events (completions included) waiting to run now
 * @param lag from an event's post to the start of its run, per posted event
 * @param busyNanos the total time spent running callbacks, events, timers and watches
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
