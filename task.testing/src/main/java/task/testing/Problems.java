package task.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failures seen on threads other than the test's (callbacks, handlers,
 * client threads, workers, the log), where an assertion would go unnoticed:
 * counted, the first few kept with the thread they were seen on, and
 * asserted on the test's thread with {@link #assertNone()}. Thread-safe.
 */
public final class Problems {
    /** How many problems are kept for the message; all are counted. */
    public static final int KEPT = 30;

    private final AtomicLong count = new AtomicLong();
    private final ConcurrentLinkedQueue<String> first = new ConcurrentLinkedQueue<>();

    /** Creates an empty collector. */
    public Problems() {
    }

    /**
     * Records a problem, from any thread.
     *
     * @param problem what went wrong
     */
    public void add(String problem) {
        if (count.incrementAndGet() <= KEPT) {
            first.add(problem + " [on " + Thread.currentThread().getName() + "]");
        }
    }

    /**
     * The problems recorded so far.
     *
     * @return their count, including those not kept
     */
    public long count() {
        return count.get();
    }

    /** Fails the test if any problem was recorded. */
    public void assertNone() {
        assertNone("problems");
    }

    /**
     * Fails the test if any problem was recorded.
     *
     * @param what what the failure message begins with
     */
    public void assertNone(String what) {
        long n = count.get();
        if (n != 0) {
            List<String> kept = new ArrayList<>(first);
            fail(what + ": " + n + " problem(s), the first:\n  " + String.join("\n  ", kept));
        }
    }

    /** @return the count and the problems kept, for a message */
    @Override
    public String toString() {
        return count.get() + " " + first;
    }
}
