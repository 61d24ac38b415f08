package task.api.metrics;

/**
 * A distribution of durations, in nanoseconds, from a histogram that keeps
 * two significant digits (so a percentile is within 1% of the exact one).
 * All zero when nothing was recorded.
 *
 * @param count how many durations were recorded
 * @param medianNanos the 50th percentile
 * @param p90Nanos the 90th percentile
 * @param p99Nanos the 99th percentile
 * @param maxNanos the longest
 */
public record Durations(long count, long medianNanos, long p90Nanos, long p99Nanos, long maxNanos) {

    /** No duration recorded. */
    public static final Durations NONE = new Durations(0, 0, 0, 0, 0);
}
