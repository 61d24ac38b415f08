package task.api.metrics;

import java.util.Objects;

/**
 * What the tasks of one owner or one operation did. A task is counted as
 * started when it is created, and once more in exactly one of the outcomes
 * when its callback has run (succeeded, failed, cancelled) or when it was
 * disposed without a callback; {@code started} minus the four outcomes is
 * the number in flight.
 *
 * @param name the owner's or the operation's name
 * @param started tasks created
 * @param succeeded tasks whose callback saw success
 * @param failed tasks whose callback saw an error other than cancellation
 * @param cancelled tasks whose callback saw a cancellation
 * @param disposed tasks disposed (or dropped by their owner's release) before any callback
 * @param queueTime from {@code runInThread} to the worker's start, of the worker runs the runtime times (a sample: in this release one in 16, at random)
 * @param runTime from the worker's start to its return, of the same runs
 */
public record TaskCounts(String name, long started, long succeeded, long failed, long cancelled, long disposed,
        Durations queueTime, Durations runTime) {

    /**
     * Checks the components.
     *
     * @param name not null
     * @param started zero or more
     * @param succeeded zero or more
     * @param failed zero or more
     * @param cancelled zero or more
     * @param disposed zero or more
     * @param queueTime not null
     * @param runTime not null
     */
    public TaskCounts {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(queueTime, "queueTime");
        Objects.requireNonNull(runTime, "runTime");
    }

    /** @return tasks started and not yet counted in an outcome */
    public long inFlight() {
        return started - succeeded - failed - cancelled - disposed;
    }
}
