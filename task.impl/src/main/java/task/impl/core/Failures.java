package task.impl.core;

import java.util.function.Consumer;

/**
 * Runs cleanups so that one failing cleanup never stops the next: the first
 * failure is kept and later ones are added to it as suppressed.
 */
final class Failures {
    private Failures() {
    }

    static Throwable run(Runnable cleanup, Throwable failure) {
        if (cleanup == null) {
            return failure;
        }
        try {
            cleanup.run();
            return failure;
        } catch (Throwable thrown) {
            return combine(failure, thrown);
        }
    }

    static <T> Throwable accept(Consumer<? super T> cleanup, T value, Throwable failure) {
        if (cleanup == null) {
            return failure;
        }
        try {
            cleanup.accept(value);
            return failure;
        } catch (Throwable thrown) {
            return combine(failure, thrown);
        }
    }

    private static Throwable combine(Throwable first, Throwable next) {
        if (first == null) {
            return next;
        }
        if (first != next) {
            first.addSuppressed(next);
        }
        return first;
    }
}
