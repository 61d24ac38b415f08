package task.plugins.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskFuture;
import task.api.TaskService;
import task.plugins.connector.ConnectOptions;
import task.plugins.connector.Connection;
import task.plugins.connector.Connector;
import task.plugins.resolver.SocketAddresses;

/**
 * Secures a connected socket with TLS as a task: the counterpart of QEMU's
 * {@code qio_channel_tls_handshake}. A non-blocking {@link SSLEngine} is
 * driven by one-shot I/O watches on an event context (read when it needs
 * the peer's data, write when the socket is full), its delegated tasks
 * (key exchange, certificate checks) run in the runner's threads as a
 * subtask, and a timer bounds the whole handshake. The task completes with
 * a {@link TlsChannel}, or with an error naming the peer and the TLS alert
 * or cause.
 * <p>
 * Upstream runs GnuTLS on the channel and reports through a QIOTask whose
 * callback runs on the context; so does this, with the engine in place of
 * GnuTLS and with a timeout and cancellation, which upstream has not.
 * <p>
 * <b>Outcomes</b>, read by the callback from the task; it runs exactly once,
 * on the context's thread:
 * <ul>
 * <li>secured: {@link Task#result()} is a {@link TlsChannel}, which the
 * task closes (close_notify, then the socket) when it finishes, right after
 * the callback, unless the callback {@linkplain TlsChannel#take() takes}
 * it;</li>
 * <li>the handshake failed: an {@link javax.net.ssl.SSLHandshakeException}
 * whose message names the peer and the cause, such as
 * {@code tls: handshake with 127.0.0.1:4433 failed: Received fatal alert: bad_certificate}
 * (the alert the peer sent) or
 * {@code tls: handshake with localhost at 127.0.0.1:4433 failed: No subject alternative DNS name matching localhost found.}
 * (why this side refused, which JDK 25 prefixes with the alert it sends,
 * {@code (certificate_unknown)}; the engine's own exception is the cause, and
 * the alert is sent to the peer before the socket is closed); a peer
 * that closes the connection is reported with the bytes received and sent;</li>
 * <li>the timeout expired: a {@link java.net.SocketTimeoutException}
 * naming the peer and the phase, such as
 * {@code tls: handshake with 127.0.0.1:4433 timed out after 10000 ms waiting for the peer's handshake data (0 bytes received, 440 sent)};</li>
 * <li>cancelled or disposed: a {@link task.api.TaskCancelledException} (no
 * callback on disposal). The cancel closes the socket and removes the watch
 * and the timer before {@code cancel} returns, and cancels the subtask.</li>
 * </ul>
 * <p>
 * <b>Ownership of the socket.</b> If a method here throws, the socket is
 * untouched and still the caller's. Once it returns, the task owns the
 * socket: it closes it on failure, timeout and cancellation, and hands it
 * inside the {@link TlsChannel} on success. The caller must not use the
 * socket meanwhile.
 * <p>
 * <b>Limits.</b> If the context is closed while the handshake is in flight,
 * its watch and timer are removed without firing and the task completes
 * only when it is cancelled or disposed (which closes the socket); the
 * owner of {@code tasks} releasing it, or the runtime closing, disposes it.
 * <p>
 * Threading: every method may be called from any thread and returns at
 * once. Happens-before: the call happens-before the first step on the
 * context; everything the handshake did happens-before the callback.
 */
public final class TlsHandshake {
    /** Names the operation in every error message. */
    static final String OPERATION = "tls";
    /** Names {@link #connect} in its task and its argument errors. */
    static final String CONNECT_OPERATION = "tls-connect";

    private TlsHandshake() {
    }

    /**
     * Starts the client side of a handshake on {@code channel}. The engine
     * is created for {@code peerHost} and the channel's remote port (a hint
     * for session resumption); unless the options' parameters say otherwise,
     * the peer's certificate must name {@code peerHost} (endpoint
     * identification {@code "HTTPS"}: a DNS name, or for a numeric host an IP
     * address, in its subject alternative names), and a named host is sent
     * as the server name (SNI).
     * <p>
     * The task's source is {@code channel}; its name is
     * {@code tls client PEER}, where PEER is the remote address
     * ({@code 127.0.0.1:4433}), after the host name when that differs
     * ({@code localhost at 127.0.0.1:4433}), as in the error messages. The
     * outcomes and the ownership rule are in the class comment.
     *
     * @param tasks creates the task (and the delegated tasks' subtasks), and so owns them
     * @param channel an open, connected socket, in either mode (a blocking
     *        one is made non-blocking); the task owns it once this returns
     * @param peerHost the host name (or numeric address, IPv6 with or
     *        without brackets) the peer's certificate must name
     * @param options the SSL context, parameters and timeout
     * @param context where the callback, the watches and the timer run, or
     *        null for the default context
     * @param callback called once with the task
     * @return the task, already started
     * @throws NullPointerException if an argument other than {@code context}
     *         is null, naming it
     * @throws IllegalArgumentException if {@code peerHost} is empty or
     *         malformed, the channel is closed or not connected, the SSL
     *         context is not initialized or refuses the parameters; the
     *         message starts with "tls: " and names the value. Nothing is
     *         created and the channel is untouched.
     * @throws UncheckedIOException if the channel cannot be made
     *         non-blocking (it was closed meanwhile)
     * @throws java.util.concurrent.RejectedExecutionException if
     *         {@code context} is closed; nothing is left running and the
     *         channel is left open, the caller's (in non-blocking mode)
     * @throws IllegalStateException if {@code tasks} has been released;
     *         the channel is left open, the caller's (in non-blocking mode)
     */
    public static Task<SocketChannel, TlsChannel> client(TaskService tasks, SocketChannel channel, String peerHost,
            TlsOptions options, EventContext context, TaskCallback<SocketChannel, TlsChannel> callback) {
        return startClient(tasks, channel, peerHost, options, context, callback).task();
    }

    /**
     * Starts the server side of a handshake on {@code channel}, for example
     * a client a {@code NetListener} handed over. The options' SSL context
     * must hold the server's key and certificate; the parameters may ask for
     * client authentication ({@link SSLParameters#setNeedClientAuth}).
     * <p>
     * The task's source is {@code channel}; its name is
     * {@code tls server PEER}, PEER being the client's address. The outcomes
     * and the ownership rule are in the class comment.
     *
     * @param tasks creates the task (and the delegated tasks' subtasks), and so owns them
     * @param channel an open, connected socket, in either mode (a blocking
     *        one is made non-blocking); the task owns it once this returns
     * @param options the SSL context, parameters and timeout
     * @param context where the callback, the watches and the timer run, or
     *        null for the default context
     * @param callback called once with the task
     * @return the task, already started
     * @throws NullPointerException if an argument other than {@code context}
     *         is null, naming it
     * @throws IllegalArgumentException if the channel is closed or not
     *         connected, the SSL context is not initialized or refuses the
     *         parameters; the message starts with "tls: ". Nothing is created
     *         and the channel is untouched.
     * @throws UncheckedIOException if the channel cannot be made
     *         non-blocking (it was closed meanwhile)
     * @throws java.util.concurrent.RejectedExecutionException if
     *         {@code context} is closed; nothing is left running and the
     *         channel is left open, the caller's (in non-blocking mode)
     * @throws IllegalStateException if {@code tasks} has been released;
     *         the channel is left open, the caller's (in non-blocking mode)
     */
    public static Task<SocketChannel, TlsChannel> server(TaskService tasks, SocketChannel channel,
            TlsOptions options, EventContext context, TaskCallback<SocketChannel, TlsChannel> callback) {
        return startServer(tasks, channel, options, context, callback).task();
    }

    /**
     * Connects to {@code address} with the connector bundle (the name looked
     * up, each address tried in turn) and then secures the connection as a
     * {@link #client client}, for the host name of {@code address}: the two
     * tasks composed into one future,
     * {@code connect(..).thenCompose(connection -> client(..))}, adopted as a
     * task of {@code tasks} named {@code tls-connect HOST:PORT}. Cancelling the
     * future (or a stage chained from it) cancels the step in flight (the
     * lookup or the connect attempt, or the handshake), which closes
     * whatever it holds.
     * <p>
     * One deadline bounds it all: {@code connectOptions}'
     * {@linkplain ConnectOptions#overallTimeout() overall timeout}, counted
     * from this call. The handshake's timeout is the smaller of
     * {@code tlsOptions}' and what is left of that when the connection is
     * made.
     * <p>
     * The future completes on the context's thread with a
     * {@link TlsChannel}, which is then its taker's to close (a channel that
     * cannot reach the future, because it was cancelled first, is closed); or
     * with the connector's error (an {@link java.net.UnknownHostException}, a
     * {@link java.net.ConnectException} naming each address tried, a
     * {@link java.net.SocketTimeoutException}); or the handshake's (see the
     * class comment); or a {@link task.api.TaskCancelledException}. The error
     * is the step's own, as the future's cause ({@code get} wraps it in an
     * {@code ExecutionException}, chained stages in a
     * {@code CompletionException}).
     *
     * @param tasks creates the tasks of the steps and of the whole, and so owns them
     * @param address the host (a name, looked up, or a number) and port
     * @param connectOptions the connect's timeouts (the overall one bounds
     *        the handshake too) and address family
     * @param tlsOptions the SSL context, parameters and handshake timeout
     * @param context where the future completes and the watches and timers
     *        run, or null for the default context
     * @return the future of the whole, already started
     * @throws NullPointerException if an argument other than {@code context}
     *         is null, naming it
     * @throws IllegalArgumentException if the host is empty or malformed, or
     *         the port is 0; the message starts with "tls-connect: " and
     *         names the value. Nothing is created or opened.
     * @throws java.util.concurrent.RejectedExecutionException if
     *         {@code context} is closed; nothing is left open
     */
    public static TaskFuture<TlsChannel> connect(TaskService tasks, InetSocketAddress address,
            ConnectOptions connectOptions, TlsOptions tlsOptions, EventContext context) {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(connectOptions, "connectOptions");
        Objects.requireNonNull(tlsOptions, "tlsOptions");
        String host = SocketAddresses.host(CONNECT_OPERATION, address.getHostString());
        if (address.getPort() == 0) {
            throw new IllegalArgumentException(CONNECT_OPERATION + ": port 0 in '"
                    + SocketAddresses.format(address) + "' cannot be connected to (1..65535)");
        }
        EventContext target = context != null ? context : tasks.defaultContext();
        long startNanos = System.nanoTime();
        TaskFuture<Connection> connected = tasks.future(
                (TaskCallback<SocketAddress, Connection> done) -> Connector.connect(tasks, address, connectOptions,
                        target, done));
        CompletionStage<TlsChannel> secured = connected.thenCompose(connection -> secure(tasks,
                connection.take(), host, tlsOptions.withHandshakeTimeout(left(startNanos, connectOptions,
                        tlsOptions)), target));
        return tasks.adopt(CONNECT_OPERATION + " " + SocketAddresses.format(address), secured, TlsChannel::close,
                target);
    }

    /** The handshake step of {@link #connect}, on the context's thread: the socket is ours since {@code take()}. */
    private static TaskFuture<TlsChannel> secure(TaskService tasks, SocketChannel socket, String host,
            TlsOptions options, EventContext context) {
        try {
            return tasks.future(
                    (TaskCallback<SocketChannel, TlsChannel> done) -> client(tasks, socket, host, options, context,
                            done));
        } catch (RuntimeException refused) {
            Handshaking.closeQuietly(socket); // no handshake owns it: it would stay open
            throw refused;
        }
    }

    /** The handshake's timeout in {@link #connect}: the options', or what is left of the deadline if that is less. */
    private static Duration left(long startNanos, ConnectOptions connectOptions, TlsOptions tlsOptions) {
        Duration left = connectOptions.overallTimeout().minusNanos(System.nanoTime() - startNanos);
        if (left.compareTo(Duration.ofMillis(1)) < 0) {
            left = Duration.ofMillis(1);
        }
        return left.compareTo(tlsOptions.handshakeTimeout()) < 0 ? left : tlsOptions.handshakeTimeout();
    }

    // ------------------------------------------------------------------ package-private: tests see the state machine

    static Handshaking startClient(TaskService tasks, SocketChannel channel, String peerHost, TlsOptions options,
            EventContext context, TaskCallback<SocketChannel, TlsChannel> callback) {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(peerHost, "peerHost");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(callback, "callback");
        String host = SocketAddresses.host(OPERATION, peerHost);
        InetSocketAddress remote = remoteOf(channel);
        SSLEngine engine = engine(options, host, remote.getPort());
        engine.setUseClientMode(true);
        SSLParameters parameters = parameters(engine, options);
        if (parameters.getEndpointIdentificationAlgorithm() == null) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!isNumeric(host) && (parameters.getServerNames() == null || parameters.getServerNames().isEmpty())) {
            String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
            try {
                parameters.setServerNames(List.of(new SNIHostName(name)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(OPERATION + ": peer host '" + peerHost
                        + "' cannot be sent as a server name (SNI): " + e.getMessage(), e);
            }
        }
        apply(engine, parameters);
        String remoteText = SocketAddresses.format(remote);
        String peer = host.equalsIgnoreCase(SocketAddresses.format(remote.getAddress())) ? remoteText
                : host + " at " + remoteText;
        return start(tasks, channel, engine, peer, "client", options, context, callback, remote);
    }

    static Handshaking startServer(TaskService tasks, SocketChannel channel, TlsOptions options,
            EventContext context, TaskCallback<SocketChannel, TlsChannel> callback) {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(callback, "callback");
        InetSocketAddress remote = remoteOf(channel);
        SSLEngine engine = engine(options, null, -1);
        engine.setUseClientMode(false);
        apply(engine, parameters(engine, options));
        return start(tasks, channel, engine, SocketAddresses.format(remote), "server", options, context, callback,
                remote);
    }

    private static Handshaking start(TaskService tasks, SocketChannel channel, SSLEngine engine, String peer,
            String side, TlsOptions options, EventContext context, TaskCallback<SocketChannel, TlsChannel> callback,
            SocketAddress remote) {
        SocketAddress local = localOf(channel);
        if (channel.isBlocking()) {
            try {
                channel.configureBlocking(false);
            } catch (IOException e) {
                throw new UncheckedIOException(OPERATION + ": cannot make " + channel + " non-blocking", e);
            }
        }
        EventContext target = context != null ? context : tasks.defaultContext();
        Task<SocketChannel, TlsChannel> task = tasks.builder(channel, callback)
                .name(OPERATION + " " + side + " " + peer)
                .context(target)
                .create();
        Handshaking handshaking = new Handshaking(task, tasks, target, channel, engine, peer,
                options.handshakeTimeout(), local, remote);
        handshaking.start();
        return handshaking;
    }

    private static InetSocketAddress remoteOf(SocketChannel channel) {
        if (!channel.isOpen()) {
            throw new IllegalArgumentException(OPERATION + ": the channel is closed (" + channel + ")");
        }
        if (!channel.isConnected()) {
            throw new IllegalArgumentException(OPERATION + ": the channel is not connected (" + channel + ")");
        }
        SocketAddress remote;
        try {
            remote = channel.getRemoteAddress();
        } catch (IOException e) {
            throw new IllegalArgumentException(OPERATION + ": cannot read the peer's address of " + channel + ": "
                    + e.getMessage(), e);
        }
        if (!(remote instanceof InetSocketAddress)) {
            throw new IllegalArgumentException(OPERATION + ": the channel is not connected over TCP/IP (" + remote
                    + ")");
        }
        return (InetSocketAddress) remote;
    }

    private static SocketAddress localOf(SocketChannel channel) {
        try {
            return channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    private static SSLEngine engine(TlsOptions options, String host, int port) {
        try {
            return host == null ? options.sslContext().createSSLEngine()
                    : options.sslContext().createSSLEngine(host, port);
        } catch (IllegalStateException | UnsupportedOperationException e) {
            throw new IllegalArgumentException(OPERATION + ": the SSL context ("
                    + options.sslContext().getProtocol() + ") cannot make an engine: " + e.getMessage(), e);
        }
    }

    /** The engine's parameters after the options' are applied: a copy to adjust, never the caller's object. */
    private static SSLParameters parameters(SSLEngine engine, TlsOptions options) {
        if (options.parameters() != null) {
            apply(engine, options.parameters());
        }
        return engine.getSSLParameters();
    }

    private static void apply(SSLEngine engine, SSLParameters parameters) {
        try {
            engine.setSSLParameters(parameters);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(OPERATION + ": the SSL parameters are refused: " + e.getMessage(), e);
        }
    }

    /** A host as {@link SocketAddresses#host} returns it: IPv6 (a colon) or a dotted quad. */
    private static boolean isNumeric(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }
}
