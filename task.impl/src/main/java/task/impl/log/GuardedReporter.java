package task.impl.log;

import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * See {@link Reporter#guarded(Reporter)}. Every path out of each method is
 * a normal return: the delegate, then the last resort, then the count, each
 * inside a catch of {@link Throwable}.
 */
final class GuardedReporter implements Reporter {
    private static final AtomicLong DROPPED = new AtomicLong();
    private final Reporter delegate;

    GuardedReporter(Reporter delegate) {
        this.delegate = Objects.requireNonNull(delegate, "reporter");
    }

    static long dropped() {
        return DROPPED.get();
    }

    @Override
    public void warn(String message, Throwable failure) {
        try {
            delegate.warn(message, failure);
        } catch (Throwable reporterFailure) {
            lastResort("WARNING", message, failure, reporterFailure);
        }
    }

    @Override
    public void info(String message, Throwable failure) {
        try {
            delegate.info(message, failure);
        } catch (Throwable reporterFailure) {
            lastResort("INFO", message, failure, reporterFailure);
        }
    }

    @Override
    public void debug(String message, Throwable failure) {
        try {
            delegate.debug(message, failure);
        } catch (Throwable reporterFailure) {
            // Debug output nobody asked to see is not worth a line on stderr.
            drop();
        }
    }

    /**
     * Writes the report to {@link System#err}: plain text, so nothing that
     * may have made the reporter fail (formatters, clocks, zone data, files)
     * is needed; the reporter's failure is named by class only, since its
     * message may be what failed.
     */
    private static void lastResort(String level, String message, Throwable failure, Throwable reporterFailure) {
        try {
            PrintStream err = System.err;
            err.println("task.runtime " + level + ": " + message + " [the reporter failed with "
                    + reporterFailure.getClass().getName() + "]");
            if (failure != null) {
                failure.printStackTrace(err);
            }
        } catch (Throwable unwritable) {
            drop();
        }
    }

    private static void drop() {
        try {
            DROPPED.incrementAndGet();
        } catch (Throwable noStackLeft) {
            // Even the count failed (no stack left for the call): only the
            // count is lost, and the caller returns normally.
        }
    }
}
