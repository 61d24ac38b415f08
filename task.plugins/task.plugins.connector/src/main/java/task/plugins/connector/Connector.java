package task.plugins.connector;

import java.net.SocketAddress;
import java.util.Objects;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskService;
import task.plugins.resolver.NameResolver;

/**
 * Connects to a socket address as a task: the counterpart of QEMU's
 * {@code qio_channel_socket_connect_async}. The name is resolved with
 * {@link NameResolver} (a subtask, its lookup in the runner's threads), then
 * each resolved address is tried in turn with a non-blocking connect watched
 * on the event context, under a per-attempt and an overall timeout.
 * <p>
 * Unlike upstream, which runs the whole connect (lookup and blocking
 * {@code connect(2)}) in a worker thread, only the lookup leaves the
 * context's thread here; the connect attempts, their timers and the
 * completion all run on the context, and the task is completed with
 * {@link Task#complete()} rather than run in a thread.
 * <p>
 * Threading: every method may be called from any thread and returns at once.
 */
public final class Connector {
    /** The operation's name, used in every error message. */
    static final String OPERATION = "connect";

    private Connector() {
    }

    /**
     * Connects to {@code address} with {@link ConnectOptions#defaults()}.
     *
     * @param tasks creates the task (and the lookup's subtask), and so owns them
     * @param address where to connect
     * @param context where the callback runs, or null for the default context
     * @param callback called once with the task
     * @return the task
     * @throws NullPointerException if {@code tasks}, {@code address} or
     *         {@code callback} is null
     * @throws IllegalArgumentException as {@link #connect(TaskService, SocketAddress, ConnectOptions, EventContext, TaskCallback)}
     * @see #connect(TaskService, SocketAddress, ConnectOptions, EventContext, TaskCallback)
     */
    public static Task<SocketAddress, Connection> connect(TaskService tasks, SocketAddress address,
            EventContext context, TaskCallback<SocketAddress, Connection> callback) {
        return connect(tasks, address, ConnectOptions.defaults(), context, callback);
    }

    /**
     * Connects to {@code address} as a task.
     * <p>
     * The task's source is {@code address}; its name is
     * {@code connect HOST:PORT} (a resolved address written by number). The callback runs exactly once, on
     * {@code context}'s thread, and reads the outcome from the task:
     * <ul>
     * <li>connected: {@link Task#result()} is a {@link Connection} whose
     * channel the task closes when it finishes, right after the callback,
     * unless the callback {@linkplain Connection#take() takes} it;</li>
     * <li>the name lookup failed: {@link Task#propagateError()} is the
     * resolver's own error (an {@link java.net.UnknownHostException} naming
     * host, port and cause);</li>
     * <li>every address failed: a {@link java.net.ConnectException} naming
     * each address tried and its failure, such as
     * {@code connect: could not connect to localhost:1: 127.0.0.1:1 (Connection refused), [::1]:1 (Connection refused)},
     * with each attempt's exception attached as suppressed (an attempt that
     * outlived the per-attempt timeout failed with a
     * {@link java.net.SocketTimeoutException});</li>
     * <li>the overall timeout expired: a {@link java.net.SocketTimeoutException}
     * naming the addresses tried so far, the one still pending and how many
     * were never tried;</li>
     * <li>cancelled ({@link Task#cancel(boolean)}): a
     * {@link task.api.TaskCancelledException}. The cancel closes the channel
     * of the attempt in flight, stops the lookup and removes the watch and
     * timers, before {@code cancel} returns.</li>
     * </ul>
     * Every channel the connect opens is closed exactly once, except the
     * connected one when the callback takes it.
     * <p>
     * Limits: if {@code context} is closed while the connect is in flight,
     * its watch and timers are removed without firing and the task completes
     * only when it is cancelled or disposed (which closes the channel); the
     * owner of {@code tasks} releasing it, or the runtime closing, disposes it.
     *
     * @param tasks creates the task (and the lookup's subtask), and so owns them
     * @param address an {@link java.net.InetSocketAddress}, resolved (tried
     *        as it is) or not (a name is looked up, a numeric host is not), or
     *        a {@link java.net.UnixDomainSocketAddress} of an existing socket
     * @param options the timeouts and the address family
     * @param context where the callback, the watch and the timers run, or
     *        null for the default context
     * @param callback called once with the task
     * @return the task, already started
     * @throws NullPointerException if {@code tasks}, {@code address},
     *         {@code options} or {@code callback} is null, naming it
     * @throws IllegalArgumentException if {@code address} cannot be connected
     *         to: an empty or malformed host (a label over 63 characters, a
     *         name over 253), port 0, a UNIX path that does not exist, another
     *         kind of address; the message starts with "connect: " and names
     *         the value. Nothing is created or opened.
     * @throws java.util.concurrent.RejectedExecutionException if
     *         {@code context} is closed; nothing is left open
     */
    public static Task<SocketAddress, Connection> connect(TaskService tasks, SocketAddress address,
            ConnectOptions options, EventContext context, TaskCallback<SocketAddress, Connection> callback) {
        return connect(tasks, address, options, context, callback, NameResolver::resolve);
    }

    /** As the public form, with the lookup given: tests choose the addresses tried. */
    static Task<SocketAddress, Connection> connect(TaskService tasks, SocketAddress address, ConnectOptions options,
            EventContext context, TaskCallback<SocketAddress, Connection> callback, Lookup lookup) {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(callback, "callback");
        Addresses.checkTarget(OPERATION, address);
        EventContext target = context != null ? context : tasks.defaultContext();
        Task<SocketAddress, Connection> task = tasks.builder(address, callback)
                .name(OPERATION + " " + Addresses.text(address))
                .context(target)
                .create();
        new Connecting(task, target, options).start(tasks, lookup);
        return task;
    }
}
