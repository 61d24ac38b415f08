package task.plugins.connector;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The addresses a connect has tried and how each one failed, and the error
 * that names them all when the connect gives up:
 * {@code connect: could not connect to localhost:1: 127.0.0.1:1 (Connection refused), [::1]:1 (Connection refused)}.
 * Each attempt's own exception is attached to that error as suppressed.
 * Confinement: used only on the context's thread (see {@link Connecting}).
 */
final class AttemptLog {
    private final String target;
    private final List<String> notes = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>();

    /** @param target the requested address as written in messages */
    AttemptLog(String target) {
        this.target = target;
    }

    /** Notes that {@code address} failed with {@code failure}. */
    void failed(SocketAddress address, Throwable failure) {
        notes.add(Addresses.text(address) + " (" + reason(failure) + ")");
        failures.add(failure);
    }

    /** The error when every address failed. */
    ConnectException allFailed() {
        ConnectException error = new ConnectException("connect: could not connect to " + target + ": "
                + String.join(", ", notes));
        failures.forEach(error::addSuppressed);
        return error;
    }

    /**
     * The error when the overall timeout expires.
     *
     * @param overall the overall timeout
     * @param pending the address whose attempt was in flight, or null while resolving
     * @param untried how many resolved addresses were never tried
     */
    SocketTimeoutException timedOut(Duration overall, SocketAddress pending, int untried) {
        List<String> all = new ArrayList<>(notes);
        if (pending == null) {
            all.add("the name lookup had not finished");
        } else {
            all.add(Addresses.text(pending) + " (still connecting)");
        }
        if (untried > 0) {
            all.add(untried + (untried == 1 ? " more address" : " more addresses") + " not tried");
        }
        SocketTimeoutException error = new SocketTimeoutException("connect: could not connect to " + target
                + " within " + text(overall) + ": " + String.join(", ", all));
        failures.forEach(error::addSuppressed);
        return error;
    }

    /** An attempt's own timeout, noted like any other failure. */
    static SocketTimeoutException attemptTimedOut(Duration timeout) {
        return new SocketTimeoutException("timed out after " + text(timeout));
    }

    /** A duration as people read it: whole milliseconds when there are any. */
    static String text(Duration duration) {
        long millis = duration.toMillis();
        return millis > 0 ? millis + " ms" : duration.toString();
    }

    private static String reason(Throwable failure) {
        String message = failure.getMessage();
        if (message == null || message.isBlank()) {
            return failure.getClass().getSimpleName();
        }
        // The system's own words ("Connection refused") say more than the class name.
        return failure instanceof IOException ? message : failure.getClass().getSimpleName() + ": " + message;
    }
}
