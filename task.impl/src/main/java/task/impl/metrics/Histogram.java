package task.impl.metrics;

import java.util.concurrent.atomic.AtomicLongArray;

import task.api.metrics.Durations;

/**
 * A concurrent log-linear histogram of durations in nanoseconds that keeps
 * two significant digits: a value is kept by its top eight bits, so a
 * percentile read back is within 1/128 (under 1%) of the value recorded.
 * Values from 0 to about 73 minutes (2^42 ns) are told apart; longer ones
 * count as the longest bucket.
 *
 * <p>Why not HdrHistogram: its {@code Recorder} gives the same precision and
 * wait-free recording, but would be one more bundle in every deployment of
 * task.impl (launcher, bndruns, Pax Exam suites, Karaf feature) for about
 * forty lines of bucket arithmetic; this one records with one
 * {@code getAndIncrement} on an {@link AtomicLongArray} slot (lock-free, never
 * allocates) and reads a snapshot by a plain pass over the slots.
 *
 * <p>Threading: {@link #record} and {@link #snapshot} from any thread. A
 * snapshot sees every record whose increment happened before its read of
 * that slot (volatile reads); records racing with it may be seen or not,
 * each one whole. Never throws.
 */
public final class Histogram {
    private static final int SUB_BITS = 7;
    private static final int SUB = 1 << SUB_BITS;
    private static final long MAX = (1L << 42) - 1;
    private static final int SIZE = index(MAX) + 1;

    private final AtomicLongArray counts = new AtomicLongArray(SIZE);

    /**
     * Records one duration.
     *
     * @param nanos the duration; negative counts as 0, above 2^42 as 2^42
     */
    public void record(long nanos) {
        counts.getAndIncrement(index(nanos < 0 ? 0 : Math.min(nanos, MAX)));
    }

    /** @return the percentiles of what was recorded so far; {@link Durations#NONE} if nothing */
    public Durations snapshot() {
        long[] copy = new long[SIZE];
        long total = 0;
        int last = -1;
        for (int i = 0; i < SIZE; i++) {
            long c = counts.get(i);
            copy[i] = c;
            total += c;
            if (c != 0) {
                last = i;
            }
        }
        if (total == 0) {
            return Durations.NONE;
        }
        return new Durations(total, percentile(copy, total, 0.50), percentile(copy, total, 0.90),
                percentile(copy, total, 0.99), highest(last));
    }

    /** Index: values below 2*SUB as they are; above, by exponent and the SUB_BITS bits below the top bit. */
    static int index(long value) {
        if (value < 2 * SUB) {
            return (int) value;
        }
        int shift = 63 - Long.numberOfLeadingZeros(value) - SUB_BITS;
        return (shift + 1) * SUB + (int) ((value >>> shift) & (SUB - 1));
    }

    /** @return the lowest value of the bucket */
    static long lowest(int index) {
        if (index < 2 * SUB) {
            return index;
        }
        int shift = index / SUB - 1;
        return ((long) (index % SUB) + SUB) << shift;
    }

    /** @return the highest value of the bucket */
    static long highest(int index) {
        return index < 2 * SUB ? index : lowest(index + 1) - 1;
    }

    private static long percentile(long[] copy, long total, double fraction) {
        long rank = Math.max(1, (long) Math.ceil(total * fraction));
        long seen = 0;
        for (int i = 0; i < copy.length; i++) {
            seen += copy[i];
            if (seen >= rank) {
                return highest(i);
            }
        }
        return highest(copy.length - 1);
    }
}
