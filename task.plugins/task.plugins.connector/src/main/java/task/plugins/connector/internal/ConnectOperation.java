package task.plugins.connector.internal;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.service.component.annotations.Component;

import task.api.Task;
import task.api.spi.Operation;
import task.api.spi.OperationRequest;
import task.plugins.connector.ConnectOptions;
import task.plugins.connector.Connection;
import task.plugins.connector.Connector;
import task.plugins.resolver.SocketAddresses;

/**
 * The operation {@code connect HOST:PORT [TIMEOUT_MS]}: connects with
 * {@link Connector}, then closes the channel at once and completes with the
 * two addresses, printed as {@code connected 127.0.0.1:51514 -> 127.0.0.1:43211}.
 * It shows that a service answers; it hands no channel to anyone.
 * <p>
 * A DS component in OSGi, and listed in
 * {@code META-INF/services/task.api.spi.Operation} for plain Java.
 * Stateless and thread-safe.
 */
@Component(service = Operation.class)
public final class ConnectOperation implements Operation {
    private static final String NAME = "connect";
    /** The largest TIMEOUT_MS: {@link ConnectOptions#MAX_TIMEOUT}. */
    private static final long MAX_TIMEOUT_MS = ConnectOptions.MAX_TIMEOUT.toMillis();

    private static final List<Argument> ARGUMENTS = List.of(
            new Argument("host:port", "HOST:PORT, [IPV6]:PORT or unix:PATH of an existing socket; port 1..65535",
                    true),
            new Argument("timeout_ms", "the overall timeout in milliseconds, 1.." + MAX_TIMEOUT_MS + " (default "
                    + ConnectOptions.DEFAULT_OVERALL_TIMEOUT.toMillis() + "); each address gets at most "
                    + ConnectOptions.DEFAULT_ATTEMPT_TIMEOUT.toMillis() + " of it", false));

    /** For ServiceLoader and DS. */
    public ConnectOperation() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Connects to an address (each resolved address in turn), prints the local and remote address,"
                + " and closes the connection";
    }

    @Override
    public List<Argument> arguments() {
        return ARGUMENTS;
    }

    @Override
    public void start(Task<OperationRequest, Object> task) {
        OperationRequest request = task.source();
        List<String> arguments = request.arguments();
        // The registry has checked the count against ARGUMENTS.
        SocketAddress address = SocketAddresses.parse(NAME, request.argument(0, "HOST:PORT"), true);
        ConnectOptions options = ConnectOptions.defaults();
        if (arguments.size() > 1) {
            Duration overall = Duration.ofMillis(timeoutMillis(arguments.get(1)));
            Duration attempt = overall.compareTo(options.attemptTimeout()) < 0 ? overall : options.attemptTimeout();
            options = new ConnectOptions(attempt, overall, options.family());
        }
        // The hook first (a fast connect may finish this task before the
        // call below returns, and a finished task refuses hooks); it finds
        // the subtask through a holder published after the subtask starts,
        // and the re-check below covers a cancel that came in between.
        AtomicReference<Task<SocketAddress, Connection>> subtask = new AtomicReference<>();
        task.onCancel(() -> cancel(subtask.get()));
        // Validates the address fully (port 0, a missing UNIX socket) before
        // anything is created; a refusal leaves nothing behind.
        subtask.set(Connector.connect(request.tasks(), address, options, request.context(),
                done -> finish(task, done)));
        if (task.isCancelled()) {
            cancel(subtask.get());
        }
    }

    private static void cancel(Task<SocketAddress, Connection> connecting) {
        if (connecting != null) {
            connecting.cancel(false, "the connect operation was cancelled");
        }
    }

    /** On the request's context: reports the addresses; the connect task then closes the channel. */
    private static void finish(Task<OperationRequest, Object> task, Task<SocketAddress, Connection> done) {
        Throwable error = done.propagateError();
        if (error != null) {
            task.setError(error);
        } else {
            Connection connection = done.result();
            task.setResult(new Connected(connection.localAddress(), connection.remoteAddress(),
                    connection.toString()));
        }
        task.complete();
    }

    private static long timeoutMillis(String text) {
        boolean negative = text.startsWith("-");
        String digits = negative ? text.substring(1) : text;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(NAME + ": timeout '" + text + "' is not a number of milliseconds");
        }
        // Digits only: out of range if negative, too long to parse, or outside 1..MAX.
        if (negative || digits.length() > 12) {
            throw outOfRange(text);
        }
        long millis = Long.parseLong(digits);
        if (millis < 1 || millis > MAX_TIMEOUT_MS) {
            throw outOfRange(text);
        }
        return millis;
    }

    private static IllegalArgumentException outOfRange(String text) {
        return new IllegalArgumentException(NAME + ": timeout " + text + " ms out of range 1.." + MAX_TIMEOUT_MS);
    }

    /**
     * What the operation produces: both ends of the connection it made (and
     * closed).
     *
     * @param local the local address
     * @param remote the address connected to
     * @param text {@code connected LOCAL -> REMOTE}
     */
    record Connected(SocketAddress local, SocketAddress remote, String text) {
        @Override
        public String toString() {
            return text;
        }
    }
}
