package task.bench;

import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

/** The work every peer runs on its worker: a few arithmetic operations, or a blocking sleep. */
public final class Work {
    private Work() {
    }

    /** A few arithmetic operations (a SplitMix64 step): the same for every peer. */
    public static final LongUnaryOperator ARITHMETIC = Work::mix;

    public static long mix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * A worker that blocks for {@code millis} (a sleep), then returns its input.
     *
     * @param millis how long to block
     * @return the work
     */
    public static LongUnaryOperator sleeping(long millis) {
        return x -> {
            try {
                TimeUnit.MILLISECONDS.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return x;
        };
    }
}
