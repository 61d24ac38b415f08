package task.impl.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What threw while a task ran its callback, its cleanups or its cancel
 * hooks, so that one failing part never stops the next: the first throwable,
 * with later ones added to it as suppressed (callers rethrow the very first
 * one), and which part threw each, in order, for the report. Allocated only
 * when something throws; null stands for "nothing threw".
 * <p>
 * Threading: confined to the thread running the parts.
 */
final class Failures {
    static final String CALLBACK = "the callback";
    static final String WORKER_CLEANUP = "the worker cleanup";
    static final String CALLBACK_CLEANUP = "the callback cleanup";
    static final String RESULT_CLEANUP = "the result cleanup";
    static final String LATE_WORKER_CLEANUP = "the worker cleanup (run at once: the task was cancelled or disposed)";
    static final String CANCEL_HOOK = "a cancel hook";
    static final String REFUSED_CLEANUP = "the callback cleanup (run at once: the task was refused)";

    private final Throwable first;
    /** The part that threw {@link #first}, then the part of each later failure. */
    private final List<String> parts = new ArrayList<>(2);

    private Failures(Throwable first, String part) {
        this.first = first;
        parts.add(part);
    }

    /**
     * Runs {@code action}, named {@code part}; a throwable joins {@code sofar}.
     *
     * @return {@code sofar}, or the failures with the new one, or null if none
     */
    static Failures run(Runnable action, String part, Failures sofar) {
        if (action == null) {
            return sofar;
        }
        try {
            action.run();
            return sofar;
        } catch (Throwable thrown) {
            return add(sofar, part, thrown);
        }
    }

    /** As {@link #run}, for a cleanup that takes the value it releases. */
    static <T> Failures accept(Consumer<? super T> action, T value, String part, Failures sofar) {
        if (action == null) {
            return sofar;
        }
        try {
            action.accept(value);
            return sofar;
        } catch (Throwable thrown) {
            return add(sofar, part, thrown);
        }
    }

    /** @return {@code sofar} (or new failures) with {@code thrown}, thrown by {@code part}, added */
    static Failures add(Failures sofar, String part, Throwable thrown) {
        if (sofar == null) {
            return new Failures(thrown, part);
        }
        if (sofar.first != thrown) {
            sofar.first.addSuppressed(thrown);
        }
        sofar.parts.add(part);
        return sofar;
    }

    /** @return the first throwable of {@code failures}, the one to rethrow, or null if none */
    static Throwable first(Failures failures) {
        return failures == null ? null : failures.first;
    }

    /**
     * @return which parts threw, for a report: {@code "the callback threw"},
     *         {@code "the worker cleanup threw, then the result cleanup threw (suppressed)"}
     */
    String describe() {
        StringBuilder text = new StringBuilder(parts.get(0)).append(" threw");
        for (int i = 1; i < parts.size(); i++) {
            text.append(", then ").append(parts.get(i)).append(" threw (suppressed)");
        }
        return text.toString();
    }
}
