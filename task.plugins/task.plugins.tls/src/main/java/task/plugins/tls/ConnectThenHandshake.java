package task.plugins.tls;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskService;
import task.plugins.connector.ConnectOptions;
import task.plugins.connector.Connection;
import task.plugins.connector.Connector;

/**
 * Two steps as one task, behind {@link TlsHandshake#connect}: the
 * connector's task, then the client handshake's, each started on the
 * context when the one before succeeds.
 *
 * <h2>The seam</h2>
 * This is hand-written chaining, kept in one class until {@code task.api}
 * has composition (issue 12); it is then meant to become one line, along
 * the lines of {@code Connector.connect(..).thenCompose(c -> TlsHandshake.client(..))}
 * with a deadline on the whole. What it does by hand, and what such an API
 * must do for it:
 * <ol>
 * <li><b>the step in flight</b>: {@link #step} holds the task of the current
 * step; the whole task's cancel hook cancels it, and each new step is
 * published before the whole task's cancellation is checked again (the hook
 * sets the cancellation before it reads the field: one of the two sees the
 * other);</li>
 * <li><b>errors</b>: a step's error becomes the whole task's, the very
 * object;</li>
 * <li><b>ownership</b>: the connection's socket is taken from the connect's
 * task and handed to the handshake, which owns it from then on (it is
 * closed here if the handshake cannot start); the handshake's
 * {@link TlsChannel} is passed on to the whole task
 * ({@link TlsChannel#passOn}), whose result cleanup closes it unless the
 * callback takes it;</li>
 * <li><b>the deadline</b>: the connect's overall timeout, from the start;
 * the handshake gets what is left of it.</li>
 * </ol>
 *
 * <h2>States</h2>
 * No state field of its own: where it stands is which step {@link #step}
 * holds and whether the whole task is cancelled.
 * <pre>
 *  CONNECTING --connected--> HANDSHAKING --secured--> the whole task completes with the channel
 *      |                         \--failed, timed out--> the whole task completes with that error
 *      \--failed, timed out--> the whole task completes with that error
 *  any --whole task cancelled--> the step in flight is cancelled (closing what it holds);
 *                                the whole task's callback gets its cancellation
 * </pre>
 *
 * <h2>Threads</h2>
 * {@link #start} runs in the caller's thread; the steps' callbacks (and so
 * the start of the handshake and the completion) on the context's thread;
 * the cancel hook in the cancelling thread. {@link #step} is the only field
 * shared between them (an atomic reference); the others are final.
 */
final class ConnectThenHandshake {
    /** The operation's name, for the whole task's name and its argument errors. */
    static final String OPERATION = "tls-connect";
    private static final String CANCELLED = "tls-connect was cancelled";

    private final Task<InetSocketAddress, TlsChannel> whole;
    private final TaskService tasks;
    private final EventContext context;
    private final String host;
    private final ConnectOptions connectOptions;
    private final TlsOptions tlsOptions;
    private final long startNanos = System.nanoTime();
    /** The task of the step in flight: the connect's, then the handshake's. */
    private final AtomicReference<Task<?, ?>> step = new AtomicReference<>();

    ConnectThenHandshake(Task<InetSocketAddress, TlsChannel> whole, TaskService tasks, EventContext context,
            String host, ConnectOptions connectOptions, TlsOptions tlsOptions) {
        this.whole = whole;
        this.tasks = tasks;
        this.context = context;
        this.host = host;
        this.connectOptions = connectOptions;
        this.tlsOptions = tlsOptions;
    }

    /**
     * Arms the cancel hook and starts the connect. In the caller's thread.
     *
     * @throws RuntimeException what the connector throws (a closed context);
     *         the whole task is disposed then
     */
    void start() {
        // The hook first: a fast step may finish the whole task before
        // this method returns, and a finished task refuses hooks.
        whole.onCancel(this::cancelled);
        Task<SocketAddress, Connection> connecting;
        try {
            connecting = Connector.connect(tasks, whole.source(), connectOptions, context, this::connected);
        } catch (RuntimeException refused) {
            whole.dispose();
            throw refused;
        }
        begin(connecting);
    }

    /** Publishes the step in flight, then checks for a cancel that may have missed it. */
    private void begin(Task<?, ?> next) {
        step.set(next);
        if (whole.isCancelled()) {
            next.cancel(false, CANCELLED);
        }
    }

    /** The whole task's cancel hook, in the cancelling thread. */
    private void cancelled() {
        Task<?, ?> current = step.get();
        if (current != null) {
            current.cancel(false, CANCELLED);
        }
    }

    /** The connect's callback, on the context's thread: starts the handshake. */
    private void connected(Task<SocketAddress, Connection> done) {
        Throwable error = done.propagateError();
        if (error != null) {
            fail(error);
            return;
        }
        if (whole.isCancelled()) {
            return; // the connect's task closes the socket when it finishes
        }
        SocketChannel socket = done.result().take();
        Task<SocketChannel, TlsChannel> handshake;
        try {
            handshake = TlsHandshake.client(tasks, socket, host, tlsOptions.withHandshakeTimeout(left()), context,
                    this::secured);
        } catch (RuntimeException refused) {
            Handshaking.closeQuietly(socket); // ours since take(), and no handshake owns it
            fail(refused);
            return;
        }
        begin(handshake);
    }

    /** The handshake's callback, on the context's thread: completes the whole task. */
    private void secured(Task<SocketChannel, TlsChannel> done) {
        Throwable error = done.propagateError();
        if (error != null) {
            fail(error);
            return;
        }
        TlsChannel secured = done.result();
        int owner = secured.passOn(TlsChannel.FIRST_OWNER);
        // Cancelled meanwhile: the late result's cleanup runs at once and closes it.
        whole.setResult(secured, TlsChannel.cleanup(owner));
        whole.complete();
    }

    /** Ends the whole task with a step's error (dropped if the whole task was cancelled). */
    private void fail(Throwable error) {
        whole.setError(error);
        whole.complete();
    }

    /** The handshake's timeout: the options', or what is left of the deadline if that is less. */
    private Duration left() {
        Duration left = connectOptions.overallTimeout().minusNanos(System.nanoTime() - startNanos);
        if (left.compareTo(Duration.ofMillis(1)) < 0) {
            left = Duration.ofMillis(1);
        }
        return left.compareTo(tlsOptions.handshakeTimeout()) < 0 ? left : tlsOptions.handshakeTimeout();
    }
}
