package task.plugins.listener;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.time.Duration;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import task.api.EventContext;
import task.api.EventSource;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskService;

/**
 * Listening sockets that hand each accepted client to a handler on an event
 * context: the port of QEMU's {@code QIONetListener}, on NIO.
 * <p>
 * {@link #open} binds a non-blocking listening socket on every address a
 * name resolves to (TCP over IPv4 and IPv6, or UNIX-domain); it may be
 * called again to add sockets. While a {@link ClientHandler} is set, every
 * socket is watched through {@link EventContext#watch} with
 * {@link SelectionKey#OP_ACCEPT} (no thread per socket) and each accepted
 * client is handed to the handler on that context's thread.
 * {@link #waitForClient()} accepts one client synchronously instead.
 * {@link #disconnect()} (or {@link #close()}) closes every socket.
 * <p>
 * A watch that fires accepts every client waiting, up to
 * {@value #ACCEPTS_PER_WAKEUP} (the rest on the context's next iteration).
 * If an accept fails (typically the process is out of file descriptors,
 * "Too many open files"), the listener backs off instead of retrying at
 * once: it suspends its watches and re-arms them on a timer of the
 * handler's context, after 10 ms, doubling with each failure in a row up
 * to 1 s, and back to 10 ms once an accept succeeds. Clients wait in the
 * kernel's backlog meanwhile. Each suspension logs one warning with the
 * count of failures in a row (only the first of a row with its stack
 * trace), and one line at information level says when accepting works again.
 *
 * <pre>{@code
 * NetListener listener = new NetListener("echo");
 * listener.open(InetSocketAddress.createUnresolved("localhost", 0), 16);
 * listener.setClientHandler((l, client) -> serve(client), context);
 * System.out.println("listening on " + listener.localAddress(0));
 * ...
 * listener.disconnect();
 * }</pre>
 * <p>
 * Differences from upstream: disconnecting is final (a disconnected
 * listener cannot be opened again, where upstream could re-add sockets);
 * the sockets' count and local addresses stay readable afterwards, as
 * upstream caches them. Upstream's reference counting is the garbage
 * collector's job here; the {@code qio_net_listener_set_name} of upstream is
 * the constructor's argument.
 * <p>
 * Threading: every method may be called from any thread, including from
 * inside a handler running on the context.
 */
public final class NetListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("task.plugins.listener");
    private static final long DEREGISTRATION_WAIT_SECONDS = 5;
    /**
     * Clients accepted per firing of a watch at most. A burst is drained
     * without a trip through the selector per client, yet other sources of
     * the context still run in between: the selector is level-triggered, so
     * a socket with clients left fires again on the next iteration.
     */
    static final int ACCEPTS_PER_WAKEUP = 64;
    /** The first back-off after a failed accept; it doubles with each failure in a row. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(10);
    /** The longest back-off: how long a listener stays deaf once descriptors are free again, at worst. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    /*
     * State machine, in `state`:
     *
     *   NEW --open() binds--> LISTENING --disconnect()--> DISCONNECTED
     *   NEW --disconnect()--> DISCONNECTED
     *
     * DISCONNECTED is final: every socket has been closed, by the one
     * disconnect() call that made the transition, and no watch is left.
     *
     * Arming, while state == LISTENING && handler != null && waits.isEmpty():
     *
     *   ARMED --accept fails--> SUSPENDED --resume timer fires--> ARMED
     *
     *   ARMED      the accept watches are in `watches`; `resume` is null.
     *   SUSPENDED  no watch; `resume` is a one-shot timer on `context`,
     *              due after the current back-off (see below).
     * Otherwise (no handler, a waitForClient in progress, NEW or
     * DISCONNECTED) there is neither a watch nor a timer. So the watches
     * exist exactly when isArmed(): the condition above and resume == null.
     *
     * Every arm and disarm increments `generation`; disarm() also cancels a
     * pending `resume`. A watch's callback, and the resume timer, carry the
     * generation they were made under and act only while it is current;
     * otherwise a watch accepts nothing and ends, and a timer does nothing.
     * So a watch that fires after it was replaced (a handler change, a
     * waitForClient, a disconnect) never takes a client: the client stays
     * in the kernel's backlog, and the new watches (or the waiter) accept it.
     * That is why changing the handler or its context loses no client. And a
     * resume timer that fires after setClientHandler, waitForClient or
     * disconnect disarmed the listener (cancel() cannot stop a timer already
     * running) re-arms nothing: those calls re-arm, or not, themselves.
     *
     * Back-off (Tomcat's Acceptor.handleExceptionWithDelay, without sleeping
     * on the loop's thread): an accept that fails with an IOException, other
     * than on a closed channel (whose watch just ends), suspends. (The
     * process out of descriptors, EMFILE/ENFILE, is the case that matters:
     * the client stays in the backlog, the socket stays readable, and
     * retrying at once would spin.) Every socket's watch is suspended for
     * `backoff`, which then doubles up to MAX_BACKOFF; a successful accept
     * resets it to FIRST_BACKOFF. Each suspension logs one line, with the
     * count of failures in a row; the first of a row carries the exception.
     * An explicit re-arm (a handler change, the end of a waitForClient)
     * ends a suspension early; the delay is kept, so a failure right after
     * backs off longer still.
     *
     * Happens-before: every field below is read and written under `lock`,
     * and a client is accepted under `lock` too, so accepts are totally
     * ordered with open/setClientHandler/waitForClient/disconnect. The
     * handler is called outside `lock`, so it may call back into the
     * listener. Nothing is ever waited for under `lock` (watch, cancel and
     * Selector.wakeup only post or signal).
     */
    private static final int NEW = 0;
    private static final int LISTENING = 1;
    private static final int DISCONNECTED = 2;

    private final String name;
    private final Object lock = new Object();
    /** Guarded by lock. Only grows; closed sockets stay, for count and addresses. */
    private final List<ListeningSocket> sockets = new ArrayList<>();
    /** Guarded by lock: the accept watches while armed, else empty. */
    private final List<EventSource> watches = new ArrayList<>();
    /** Guarded by lock: the waits in progress, woken by disconnect(). */
    private final List<ClientWait> waits = new ArrayList<>();
    /** Guarded by lock. */
    private int state = NEW;
    /** Guarded by lock; null when none is set. */
    private ClientHandler handler;
    /** Guarded by lock; null exactly when handler is. */
    private EventContext context;
    /** Guarded by lock. */
    private long generation;
    /** Guarded by lock: the timer that re-arms the watches while SUSPENDED, else null. */
    private EventSource resume;
    /** Guarded by lock: the next suspension's length, FIRST_BACKOFF..MAX_BACKOFF. */
    private Duration backoff = FIRST_BACKOFF;
    /** Guarded by lock: failed accepts since the last successful one. */
    private long failuresInARow;
    /** Guarded by lock: failed accepts since the listener was created. */
    private long failedAccepts;

    /**
     * Creates a listener without sockets ({@code qio_net_listener_new} and
     * {@code qio_net_listener_set_name}).
     *
     * @param name a non-blank name, for diagnostics and error messages
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public NetListener(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException(ListenChecks.OPERATION + ": listener name must not be blank, got '"
                    + name + "'");
        }
        this.name = name;
    }

    /**
     * The listener's name.
     *
     * @return the name given to the constructor
     */
    public String name() {
        return name;
    }

    /**
     * Resolves {@code address} and listens on every address found
     * ({@code qio_net_listener_open_sync}); blocks the calling thread for
     * the lookup. It succeeds when at least one address binds (failures on
     * the others are not reported, as upstream); the new sockets are
     * appended, and watched at once if a handler is set. With port 0 each
     * socket gets its own ephemeral port: read it with {@link #localAddress(int)}.
     * <p>
     * A UNIX-domain socket file is created by binding and removed again by
     * {@link #disconnect()}, if it is still the file the bind created (a
     * file put at the path since is left alone); an existing file is not
     * replaced.
     *
     * @param address an {@link java.net.InetSocketAddress} (a name, resolved
     *        here, or a numeric address) or a {@link java.net.UnixDomainSocketAddress}
     * @param backlog the queue of connections not yet accepted, 1..65535
     * @return the local addresses of the sockets this call added, at least one
     * @throws IllegalArgumentException if {@code backlog} is out of range,
     *         the host is empty or malformed (a label over 63 characters, a
     *         name over 253), the UNIX path's directory does not exist or the
     *         path exists, or the address type is unsupported; checked
     *         before anything is looked up or opened
     * @throws java.net.UnknownHostException if the lookup fails (the message
     *         names host, port and cause)
     * @throws IOException if no address binds: the first failure, with a
     *         message naming the listener and the address (a
     *         {@link java.net.BindException} if the port is taken); nothing
     *         is left open
     * @throws IllegalStateException if the listener is, or meanwhile
     *         becomes, disconnected; sockets bound by this call are closed
     */
    public List<SocketAddress> open(SocketAddress address, int backlog) throws IOException {
        ListenChecks.address(address);
        ListenChecks.backlog(backlog);
        requireNotDisconnected();
        return add(Binder.bindAll(name, address, backlog));
    }

    /**
     * Opens sockets as {@link #open} does, in the thread runner, completing
     * on {@code context}: the counterpart of {@code qio_channel_socket_listen_async}
     * for a whole listener. The task's source is this listener; its result
     * is the list {@link #open} returns, read inside the callback; its error
     * is what {@link #open} throws.
     * <p>
     * Cancellation: if the task is cancelled before its sockets are added
     * to the listener, they are closed; once added, they belong to the
     * listener (and close with {@link #disconnect()}).
     *
     * @param tasks creates the task, and so owns it
     * @param address as for {@link #open}
     * @param backlog as for {@link #open}
     * @param context where the callback runs, or null for the default context of {@code tasks}
     * @param callback called once with the task, on {@code context}
     * @return the running task
     * @throws IllegalArgumentException as {@link #open}, before any task is created
     * @throws IllegalStateException if the listener is disconnected
     */
    public Task<NetListener, List<SocketAddress>> openTask(TaskService tasks, SocketAddress address, int backlog,
            EventContext context, TaskCallback<NetListener, List<SocketAddress>> callback) {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(callback, "callback");
        ListenChecks.address(address);
        ListenChecks.backlog(backlog);
        requireNotDisconnected();
        EventContext target = context != null ? context : tasks.defaultContext();
        Task<NetListener, List<SocketAddress>> task = tasks.builder(this, callback)
                .name(ListenChecks.OPERATION + " " + Addresses.format(address) + " (listener '" + name + "')")
                .context(target)
                .create();
        task.runInThread(running -> {
            List<ListeningSocket> bound = Binder.bindAll(name, address, backlog);
            if (running.isCancelled()) {
                bound.forEach(ListeningSocket::close);
                return;
            }
            running.setResult(add(bound));
        }, null, target);
        return task;
    }

    private void requireNotDisconnected() {
        synchronized (lock) {
            if (state == DISCONNECTED) {
                throw new IllegalStateException(ListenChecks.OPERATION + ": listener '" + name
                        + "' is disconnected");
            }
        }
    }

    /** Takes ownership of freshly bound sockets ({@code qio_net_listener_add}). */
    private List<SocketAddress> add(List<ListeningSocket> bound) {
        synchronized (lock) {
            if (state != DISCONNECTED) {
                state = LISTENING;
                List<SocketAddress> added = new ArrayList<>(bound.size());
                for (ListeningSocket socket : bound) {
                    sockets.add(socket);
                    added.add(socket.localAddress);
                }
                watchAdded(bound);
                return List.copyOf(added);
            }
        }
        // Disconnected while binding: these sockets never became ours to keep.
        bound.forEach(ListeningSocket::close);
        throw new IllegalStateException(ListenChecks.OPERATION + ": listener '" + name
                + "' was disconnected while opening");
    }

    /**
     * Watches sockets just added, if armed: under the current generation,
     * so the watches already armed stay valid. Guarded by lock. The sockets
     * are the listener's by now, so a closed context does not fail the
     * open: it drops the handler, as {@link #arm()} does.
     */
    private void watchAdded(List<ListeningSocket> added) {
        if (!isArmed()) {
            return;
        }
        try {
            for (ListeningSocket socket : added) {
                watches.add(watch(socket, context, generation));
            }
        } catch (RejectedExecutionException closed) {
            log(Level.WARNING, () -> "listener '" + name + "': the handler's context '" + context.name()
                    + "' is closed; the handler is dropped", closed);
            disarm();
            handler = null;
            context = null;
        }
    }

    /**
     * Sets, replaces or removes the client handler
     * ({@code qio_net_listener_set_client_func_full}). While a handler is
     * set, every socket is watched on {@code context} and each accepted
     * client is handed to the handler on that context's thread.
     * <p>
     * Changing the handler or its context re-arms the watches without
     * losing a client: a client that has not been accepted when this is
     * called is accepted later, through the new watches, and goes to the
     * new handler. A client accepted just before (whose handler call may
     * still be running on the old context when this returns) stays with
     * the old handler. The watches are registered asynchronously: the new
     * context starts accepting once its thread gets to them. A back-off in
     * progress (after a failed accept) ends: the watches are armed at once.
     * <p>
     * On a disconnected listener this does nothing.
     *
     * @param handler the new handler, or null to stop watching the sockets
     * @param context where the handler runs; ignored (may be null) when
     *        {@code handler} is null
     * @throws NullPointerException if {@code handler} is given without a context
     * @throws RejectedExecutionException if {@code context} is closed; the
     *         listener is then left without a handler
     */
    public void setClientHandler(ClientHandler handler, EventContext context) {
        if (handler != null) {
            Objects.requireNonNull(context, "context");
        }
        synchronized (lock) {
            if (state == DISCONNECTED) {
                return;
            }
            disarm();
            this.handler = handler;
            this.context = handler == null ? null : context;
            arm();
        }
    }

    /** Guarded by lock. */
    private boolean isArmed() {
        return state == LISTENING && handler != null && waits.isEmpty() && resume == null;
    }

    /**
     * Watches every socket if the listener should be armed. Guarded by lock.
     * A closed context drops the handler, so the invariant holds again.
     */
    private void arm() {
        if (!isArmed()) {
            return;
        }
        long armed = ++generation;
        try {
            for (ListeningSocket socket : sockets) {
                watches.add(watch(socket, context, armed));
            }
        } catch (RuntimeException refused) {
            disarm();
            handler = null;
            context = null;
            throw refused;
        }
    }

    /**
     * Ends every accept watch, and a suspension's resume timer; a callback
     * or timer already running will see the new generation. Guarded by lock.
     */
    private void disarm() {
        generation++;
        for (EventSource watch : watches) {
            watch.cancel();
        }
        watches.clear();
        if (resume != null) {
            resume.cancel();
            resume = null;
        }
    }

    private EventSource watch(ListeningSocket socket, EventContext on, long armed) {
        return on.watch(socket.channel, SelectionKey.OP_ACCEPT, ready -> acceptReady(socket, armed));
    }

    /**
     * An accept watch fired, on its context's thread ({@code qio_net_listener_channel_func}).
     * Accepts the clients waiting, up to {@link #ACCEPTS_PER_WAKEUP}, and
     * hands each to the handler. A failed accept suspends the watches (see
     * the back-off above).
     *
     * @return false to end a watch that is no longer current, or whose accept failed
     */
    private boolean acceptReady(ListeningSocket socket, long armed) {
        for (int attempt = 0; attempt < ACCEPTS_PER_WAKEUP; attempt++) {
            ClientHandler current;
            SocketChannel client = null;
            IOException failure = null;
            long inARow;
            Duration retryIn = null;
            synchronized (lock) {
                if (armed != generation || state != LISTENING) {
                    return false;
                }
                current = handler;
                try {
                    client = socket.channel.accept();
                } catch (ClosedChannelException closed) {
                    failure = closed;
                } catch (IOException e) {
                    failure = e;
                    retryIn = suspend();
                }
                inARow = failuresInARow;
                if (client != null) {
                    failuresInARow = 0;
                    backoff = FIRST_BACKOFF;
                }
            }
            if (failure != null) {
                reportFailure(socket, failure, inARow, retryIn);
                return false;
            }
            if (client == null) {
                return true;
            }
            if (inARow > 0) {
                log(Level.INFO, () -> "listener '" + name + "': accepts on " + socket
                        + " succeed again, after " + inARow + (inARow == 1 ? " failure" : " failures in a row"), null);
            }
            try {
                current.onClient(this, client);
            } catch (RuntimeException thrown) {
                log(Level.WARNING, () -> "listener '" + name
                        + "': the client handler threw; still accepting", thrown);
            }
        }
        return true;
    }

    /**
     * Suspends the watches after a failed accept: ARMED -> SUSPENDED.
     * Guarded by lock, on the context's thread (in a watch callback, so the
     * state is ARMED and `context` is the watches' context).
     *
     * @return the suspension's length, or null if the context is closed
     *         (the handler is then dropped, as {@link #arm()} does)
     */
    private Duration suspend() {
        failedAccepts++;
        failuresInARow++;
        Duration delay = backoff;
        // Scheduled before anything changes: should scheduling fail, the watch stays and retries, which
        // spins but cannot strand the listener without a watch or a timer.
        long suspendedUnder = generation + 1; // the generation disarm() moves to, next
        EventSource timer;
        try {
            timer = context.schedule(delay, () -> resume(suspendedUnder));
        } catch (RejectedExecutionException closed) {
            disarm();
            handler = null;
            context = null;
            return null;
        }
        disarm();
        resume = timer;
        Duration doubled = delay.multipliedBy(2);
        backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
        return delay;
    }

    /** A suspension's timer fired, on the context's thread: SUSPENDED -> ARMED, unless disarmed meanwhile. */
    private void resume(long suspendedUnder) {
        RuntimeException refused = null;
        synchronized (lock) {
            if (suspendedUnder != generation) {
                return;
            }
            resume = null;
            try {
                arm();
            } catch (RuntimeException e) {
                refused = e; // the context is closing: arm() has dropped the handler
            }
        }
        if (refused != null) {
            log(Level.WARNING, () -> "listener '" + name + "': cannot watch its sockets again after a"
                    + " failed accept; the handler is dropped", refused);
        }
    }

    /** Reports a failed accept: one line per suspension; only the first of a row carries the exception. */
    private void reportFailure(ListeningSocket socket, IOException failure, long inARow, Duration retryIn) {
        Throwable attached = inARow == 1 || retryIn == null ? failure : null;
        log(Level.WARNING, () -> {
            String what = "listener '" + name + "': accepting on " + socket + " failed (" + failure + ")";
            if (failure instanceof ClosedChannelException) {
                // Not by disconnect() (that changes the state first): accept() is interruptible, and an
                // interrupt of a thread driving the context closes the channel under us.
                return what + "; the socket is closed and accepts no more";
            }
            if (retryIn == null) {
                return what + " and the handler's context is closed; the handler is dropped";
            }
            return what + ", " + inARow + (inARow == 1 ? " failure" : " failures in a row") + "; accepting again in "
                    + retryIn.toMillis() + " ms";
        }, attached);
    }

    /** The timer that will re-arm the watches while suspended after a failed accept, else null; for tests. */
    EventSource pendingResume() {
        synchronized (lock) {
            return resume;
        }
    }

    /** Failed accepts since the listener was created; for tests. */
    long failedAccepts() {
        synchronized (lock) {
            return failedAccepts;
        }
    }

    /**
     * Blocks the calling thread until one client is accepted, and returns it
     * ({@code qio_net_listener_wait_client}). As upstream, the client is
     * returned to the caller, not handed to the handler: while waiting, the
     * handler's watches are suspended (clients arriving meanwhile wait in
     * the backlog, none is lost), and they are re-armed on return, ending a
     * back-off that was in progress. Sockets
     * added by {@link #open} during the wait are not waited on.
     * <p>
     * Unlike upstream, the wait is interruptible and ends if the listener is
     * disconnected. Called on the handler's context thread, it blocks that
     * context, as upstream blocks its main loop.
     *
     * @return the client, in blocking mode; the caller owns it
     * @throws IllegalStateException if the listener has no socket yet or is disconnected
     * @throws java.nio.channels.AsynchronousCloseException if the listener is
     *         disconnected during the wait
     * @throws java.io.InterruptedIOException if the thread is interrupted
     *         (its interrupt status stays set)
     * @throws IOException if waiting or accepting fails
     */
    public SocketChannel waitForClient() throws IOException {
        try (ClientWait wait = ClientWait.open(name)) {
            List<ListeningSocket> waitedOn;
            synchronized (lock) {
                if (state != LISTENING) {
                    throw new IllegalStateException(ListenChecks.OPERATION + ": listener '" + name + "' "
                            + (state == NEW ? "has no socket to wait on" : "is disconnected"));
                }
                disarm();
                waits.add(wait);
                waitedOn = List.copyOf(sockets);
            }
            try {
                return wait.acceptOne(waitedOn);
            } finally {
                synchronized (lock) {
                    waits.remove(wait);
                    try {
                        arm();
                    } catch (RejectedExecutionException closed) {
                        log(Level.WARNING, () -> "listener '" + name + "': its handler's context closed"
                                + " during waitForClient; the handler is dropped", closed);
                    }
                }
            }
        }
    }

    /** Whether a {@link #waitForClient()} is in progress (its watches suspended); for tests. */
    boolean isWaiting() {
        synchronized (lock) {
            return !waits.isEmpty();
        }
    }

    /**
     * Whether the listener has sockets open ({@code qio_net_listener_is_connected}).
     *
     * @return true after a successful {@link #open} and until {@link #disconnect()}
     */
    public boolean isConnected() {
        synchronized (lock) {
            return state == LISTENING;
        }
    }

    /**
     * The number of sockets opened so far ({@code listener->nsioc}); it
     * does not drop on {@link #disconnect()}.
     *
     * @return zero or more
     */
    public int socketCount() {
        synchronized (lock) {
            return sockets.size();
        }
    }

    /**
     * The local address socket {@code index} is bound to, as read when it
     * was bound (so still available after {@link #disconnect()}).
     *
     * @param index from 0 to {@link #socketCount()} - 1
     * @return a numeric {@link java.net.InetSocketAddress} with the actual
     *         port, or the {@link java.net.UnixDomainSocketAddress}
     * @throws IndexOutOfBoundsException naming the index and the valid range
     */
    public SocketAddress localAddress(int index) {
        synchronized (lock) {
            if (index < 0 || index >= sockets.size()) {
                throw new IndexOutOfBoundsException("listener '" + name + "': socket index " + index
                        + (sockets.isEmpty() ? " out of range: the listener has no socket"
                                : " out of range 0.." + (sockets.size() - 1)));
            }
            return sockets.get(index).localAddress;
        }
    }

    /**
     * The local addresses of every socket, in order.
     *
     * @return an immutable snapshot
     */
    public List<SocketAddress> localAddresses() {
        synchronized (lock) {
            return sockets.stream().map(socket -> socket.localAddress).toList();
        }
    }

    /**
     * Closes every socket, exactly once, and removes the handler's watches
     * ({@code qio_net_listener_disconnect}), or the timer of a back-off in
     * progress; a {@link #waitForClient()} in progress ends with
     * {@link java.nio.channels.AsynchronousCloseException}.
     * Idempotent, final, and safe from inside a handler running on the
     * context (the handler call in progress completes; no other starts).
     * Clients already handed out are the handlers' and stay open.
     * <p>
     * NIO releases the descriptor (and the port) of a socket that was being
     * watched only when the watching context next polls. Called off that
     * context's thread, this therefore waits (up to five seconds) for the
     * context to have polled: when it returns, the sockets are closed and
     * their ports free. Called on the context's thread, that happens as soon
     * as the current callback returns. The UNIX-domain socket files the
     * listener's binds created are removed; a file found at such a path
     * that is not the one created (same device, inode and modification
     * time) is left in place.
     */
    public void disconnect() {
        List<ListeningSocket> closing;
        EventContext watching;
        synchronized (lock) {
            if (state == DISCONNECTED) {
                return;
            }
            state = DISCONNECTED;
            // Suspended, the watches were cancelled by the last failed accept, perhaps not yet polled.
            watching = watches.isEmpty() && resume == null ? null : context;
            disarm();
            handler = null;
            context = null;
            for (ClientWait wait : waits) {
                wait.abort();
            }
            closing = List.copyOf(sockets);
        }
        // The transition above happens once, so each socket is closed once.
        closing.forEach(ListeningSocket::close);
        awaitDeregistration(watching);
    }

    /**
     * Waits until {@code watching} has polled once more, which releases the
     * closed sockets its watches held: a zero-delay timer fires only after
     * the poll that follows the watches' removal.
     */
    private static void awaitDeregistration(EventContext watching) {
        if (watching == null || watching.inContext() || watching.isClosed()) {
            return;
        }
        CountDownLatch polled = new CountDownLatch(1);
        try {
            watching.schedule(Duration.ZERO, polled::countDown);
            if (!polled.await(DEREGISTRATION_WAIT_SECONDS, TimeUnit.SECONDS)) {
                log(Level.WARNING, () -> "listener: context '" + watching.name() + "' did not poll within "
                        + DEREGISTRATION_WAIT_SECONDS + " s of a disconnect; its closed sockets are released when it"
                        + " does", null);
            }
        } catch (RejectedExecutionException closedMeanwhile) {
            // a closing context releases every watched socket itself
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Same as {@link #disconnect()}. */
    @Override
    public void close() {
        disconnect();
    }

    /**
     * The package's logging ({@code task.plugins.listener}), which never
     * throws: most of it runs in watch callbacks, and a logging back end
     * that fails (out of descriptors, it cannot open the time-zone data)
     * must not abort what the callback was doing, such as suspending the
     * watches. The message is built inside, and only if the level is
     * logged. It lives here, not in a class of its own, because a class
     * first needed once the process is out of descriptors may not load.
     *
     * @param thrown the failure to attach, or null
     */
    static void log(Level level, Supplier<String> message, Throwable thrown) {
        try {
            LOG.log(level, message, thrown);
        } catch (Throwable failedToLog) {
            // nothing to do: reporting that logging failed would need logging
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            String where = sockets.isEmpty() ? "no socket" : Addresses.format(localAddresses());
            String what = state == NEW ? "new" : state == LISTENING ? "listening on " + where : "disconnected";
            return "listener '" + name + "' (" + what + ")";
        }
    }
}
