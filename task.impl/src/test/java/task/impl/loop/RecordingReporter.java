package task.impl.loop;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import task.impl.TestSupport;
import task.impl.log.Reporter;

/** Keeps every warning, and lets a test wait for one. */
final class RecordingReporter implements Reporter {
    /** One report. */
    record Report(String message, Throwable failure) {
    }

    final List<Report> warnings = new CopyOnWriteArrayList<>();
    private final Semaphore arrived = new Semaphore(0);

    @Override
    public void warn(String message, Throwable failure) {
        warnings.add(new Report(message, failure));
        arrived.release();
    }

    @Override
    public void debug(String message, Throwable failure) {
    }

    /** @return the warnings whose message contains {@code text} */
    List<Report> containing(String text) {
        return warnings.stream().filter(r -> r.message().contains(text)).toList();
    }

    /** Waits (guarded) until some warning matches. */
    Report await(Predicate<Report> matching) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestSupport.GUARD_SECONDS);
        for (;;) {
            for (Report report : warnings) {
                if (matching.test(report)) {
                    return report;
                }
            }
            try {
                if (!arrived.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    throw new AssertionError("timed out waiting for a report; got " + warnings);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** @return true if {@code failure} carries a stack with a frame of {@code className}.{@code method} */
    static boolean hasFrame(Throwable failure, String className, String method) {
        if (failure == null) {
            return false;
        }
        for (StackTraceElement frame : failure.getStackTrace()) {
            if (frame.getClassName().startsWith(className) && (method == null || frame.getMethodName().equals(method))) {
                return true;
            }
        }
        return false;
    }
}
