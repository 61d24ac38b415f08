package task.impl.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Violations seen on threads other than the test's (callbacks, workers,
 * cleanups, the log): counted, the first few kept, asserted at the end.
 */
final class Problems {
    private static final int KEPT = 30;
    private final AtomicLong count = new AtomicLong();
    private final ConcurrentLinkedQueue<String> first = new ConcurrentLinkedQueue<>();

    void add(String problem) {
        if (count.incrementAndGet() <= KEPT) {
            first.add(problem + " [on " + Thread.currentThread().getName() + "]");
        }
    }

    long count() {
        return count.get();
    }

    void assertNone(String what) {
        long n = count.get();
        if (n != 0) {
            List<String> kept = new ArrayList<>(first);
            fail(what + ": " + n + " problem(s), the first:\n  " + String.join("\n  ", kept));
        }
    }
}
