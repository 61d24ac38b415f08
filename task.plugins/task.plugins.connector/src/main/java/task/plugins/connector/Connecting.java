package task.plugins.connector;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import task.api.EventContext;
import task.api.EventSource;
import task.api.Task;
import task.api.TaskService;

/**
 * One connect in flight: the state machine behind {@link Connector#connect}.
 *
 * <h2>States</h2>
 * One {@code phase} field, changed only by CAS; the four last states are
 * terminal and exactly one of them is ever reached.
 * <pre>
 *  RESOLVING --addresses found--> ATTEMPTING(0) --connect done--> CONNECTED
 *      |                            |   ^     |
 *      |                            |   +-----+ attempt i failed or its timer fired,
 *      |                            |           address i+1 exists: close channel i,
 *      |                            |           open channel i+1 (ATTEMPTING(i+1))
 *      |                            +--the last address failed--> FAILED
 *      +--lookup failed--> FAILED (with the resolver's own error)
 *  RESOLVING, ATTEMPTING --overall timer fired--> TIMED_OUT
 *  RESOLVING, ATTEMPTING --task cancelled or disposed--> CANCELLED
 * </pre>
 * "connect done" is {@code connect()} succeeding at once, or
 * {@code finishConnect()} succeeding in the OP_CONNECT watch, which then
 * takes the step to CONNECTED in a posted event (see {@link #connectable}).
 * The attempt index {@code i} is not part of {@code phase}: it is confined
 * to the context's thread, which alone moves from one attempt to the next.
 *
 * <h2>Threads</h2>
 * {@link #start} runs in the caller's thread; the lookup runs in the
 * runner's threads (the resolver's subtask). Everything else runs on the
 * context's thread: the lookup's callback, every connect attempt, the
 * OP_CONNECT watch, both timers, and the completion of the task. The one
 * exception is {@link #cancelled()}, the task's cancel hook, which runs in
 * whichever thread cancels or disposes the task.
 *
 * <h2>Releasing exactly once</h2>
 * The channel of the attempt in flight lives in {@code channel}; whoever
 * takes it out with {@code getAndSet(null)} closes it, or (on CONNECTED)
 * hands it to the task's result, whose cleanup closes it unless the
 * callback {@linkplain Connection#take() takes} it. The watch and timers are
 * removed by {@link EventSource#cancel()}, which is idempotent and safe from
 * any thread. A canceller may run {@link #release()} while the context's
 * thread is between opening a channel (or registering a watch or timer) and
 * publishing it; so the context's thread publishes first and reads
 * {@code phase} second, and the canceller writes {@code phase} first and
 * reads the fields second: with volatile accesses one of them sees the
 * other, and both may release, which is harmless.
 *
 * <h2>Happens-before</h2>
 * The fields a canceller reads ({@code lookup}, the timers, the watch) are
 * volatile: {@link #start} writes two of them after arming the hook, the
 * context's thread the others. The rest is confined to the context's thread;
 * registering a callback with the context happens-before it runs, which
 * carries the constructor's writes there.
 */
final class Connecting {
    /** Where a connect stands; see the class comment. */
    enum Phase {
        RESOLVING, ATTEMPTING, CONNECTED, FAILED, TIMED_OUT, CANCELLED;

        boolean isTerminal() {
            return this != RESOLVING && this != ATTEMPTING;
        }
    }

    private final Task<SocketAddress, Connection> task;
    private final EventContext context;
    private final ConnectOptions options;
    private final AttemptLog log;

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.RESOLVING);
    /** The channel of the attempt in flight; its taker closes or hands it over. */
    private final AtomicReference<SocketChannel> channel = new AtomicReference<>();

    private volatile Task<SocketAddress, List<SocketAddress>> lookup;
    private volatile EventSource overallTimer;
    private volatile EventSource watch;
    private volatile EventSource attemptTimer;

    /** Confined to the context's thread. */
    private List<SocketAddress> addresses = List.of();
    private int next;
    private int attempt;
    private SocketAddress current;

    Connecting(Task<SocketAddress, Connection> task, EventContext context, ConnectOptions options) {
        this.task = task;
        this.context = context;
        this.options = options;
        this.log = new AttemptLog(Addresses.text(task.source()));
    }

    /**
     * Arms the cancel hook, then starts the overall timer and the lookup.
     * In the caller's thread; returns at once.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the context
     *         is closed; nothing is left running and the task is disposed
     */
    void start(TaskService tasks, Lookup resolver) {
        // The hook first: with a fast lookup the task may finish on the
        // context's thread before this method returns, and a finished task
        // refuses new hooks.
        task.onCancel(this::cancelled);
        try {
            // The timer before the lookup: scheduled after it, the timer would
            // outlive a connect that finished before it was armed.
            overallTimer = context.schedule(options.overallTimeout(), this::overallTimeout);
            lookup = resolver.start(tasks, task.source(), options.family(), context, this::resolved);
        } catch (RuntimeException refused) {
            phase.set(Phase.FAILED);
            release();
            task.dispose();
            throw refused;
        }
        if (phase.get().isTerminal()) {
            // Ended (by the timer, or a canceller) before the lookup was
            // published, so nobody could stop it: stop it here.
            release();
        }
    }

    // ------------------------------------------------------------------ on the context's thread

    /** The lookup's callback. */
    private void resolved(Task<SocketAddress, List<SocketAddress>> done) {
        assert context.inContext();
        Throwable error = done.propagateError();
        List<SocketAddress> found = error == null ? done.result() : null;
        if (phase.get() != Phase.RESOLVING) {
            return; // timed out or cancelled meanwhile; this task no longer listens
        }
        if (error != null) {
            end(Phase.FAILED, error);
            return;
        }
        addresses = List.copyOf(found);
        if (phase.compareAndSet(Phase.RESOLVING, Phase.ATTEMPTING)) {
            tryNext();
        }
    }

    /** Tries addresses from {@code next} on until one is pending, connects, or none is left. */
    private void tryNext() {
        while (phase.get() == Phase.ATTEMPTING) {
            if (next == addresses.size()) {
                end(Phase.FAILED, log.allFailed());
                return;
            }
            current = addresses.get(next++);
            attempt++;
            if (begin(current)) {
                return;
            }
        }
    }

    /**
     * Opens a channel and starts a non-blocking connect to {@code address}.
     *
     * @return false if the attempt failed at once (noted in the log), true
     *         if it is pending, connected, or the connect ended meanwhile
     */
    private boolean begin(SocketAddress address) {
        SocketChannel opened;
        try {
            opened = SocketChannel.open(Addresses.family(address));
        } catch (IOException | RuntimeException e) {
            // No such family here (IPv6 disabled, no UNIX sockets): try the next address.
            log.failed(address, e);
            return false;
        }
        channel.set(opened);
        if (phase.get() != Phase.ATTEMPTING) {
            closeChannel(); // cancelled before the canceller could see this channel
            return true;
        }
        try {
            opened.configureBlocking(false);
            if (opened.connect(address)) {
                connected(opened, address);
                return true;
            }
        } catch (IOException | RuntimeException e) {
            // Refused at once, unreachable, or closed by a canceller meanwhile.
            closeChannel();
            log.failed(address, e);
            return false;
        }
        int mine = attempt;
        try {
            watch = context.watch(opened, SelectionKey.OP_CONNECT, ready -> connectable(mine));
            attemptTimer = context.schedule(options.attemptTimeout(), () -> attemptTimedOut(mine));
        } catch (RuntimeException closing) {
            // The context is closing (RejectedExecutionException): nothing can
            // be watched any more, so the connect ends here.
            end(Phase.FAILED, closing);
            return true;
        }
        if (phase.get() != Phase.ATTEMPTING) {
            release(); // cancelled while the watch and timer were being registered
        }
        return true;
    }

    /** The OP_CONNECT watch of attempt {@code mine}. */
    private boolean connectable(int mine) {
        if (mine != attempt || phase.get() != Phase.ATTEMPTING) {
            return false;
        }
        SocketChannel pending = channel.get();
        if (pending == null) {
            return false;
        }
        try {
            if (!pending.finishConnect()) {
                return true; // spurious readiness: keep watching
            }
        } catch (IOException e) {
            attemptFailed(e);
            return false;
        }
        // Complete from a posted event, not from inside this watch: the loop
        // drops the channel's selection key only when this callback returns,
        // and a channel with a live key cannot be made blocking, which the
        // task's callback may want to do. The timers go now, so that neither
        // fails this attempt in between; a cancel in between still finds
        // ATTEMPTING and closes the channel, and connected() then backs off.
        cancel(attemptTimer);
        cancel(overallTimer);
        SocketAddress address = current;
        try {
            context.post(() -> connected(pending, address));
        } catch (RejectedExecutionException closing) {
            connected(pending, address);
        }
        return false;
    }

    /** The timer of attempt {@code mine}. */
    private void attemptTimedOut(int mine) {
        if (mine == attempt && phase.get() == Phase.ATTEMPTING) {
            attemptFailed(AttemptLog.attemptTimedOut(options.attemptTimeout()));
        }
    }

    private void attemptFailed(Throwable failure) {
        cancel(watch);
        cancel(attemptTimer);
        closeChannel();
        log.failed(current, failure);
        tryNext();
    }

    /** Hands {@code connected} to the task and completes it. */
    private void connected(SocketChannel connected, SocketAddress address) {
        if (!phase.compareAndSet(Phase.ATTEMPTING, Phase.CONNECTED)) {
            return; // cancelled: the canceller has closed, or will close, the channel
        }
        cancel(watch);
        cancel(attemptTimer);
        cancel(overallTimer);
        channel.set(null);
        // A cancel that slips in from here on finds CONNECTED and closes
        // nothing: the result's cleanup closes the channel when the cancelled
        // task finishes, and complete() below then does nothing.
        Connection connection = new Connection(connected, address);
        task.setResult(connection, Connection::release);
        task.complete();
    }

    /** The overall timer. */
    private void overallTimeout() {
        Phase now = phase.get();
        if (now.isTerminal()) {
            return;
        }
        // ATTEMPTING on this thread means an attempt is pending: moving from
        // one attempt to the next never leaves this thread in between.
        SocketAddress pending = now == Phase.ATTEMPTING ? current : null;
        end(Phase.TIMED_OUT, log.timedOut(options.overallTimeout(), pending, addresses.size() - next));
    }

    /** Ends the connect in {@code terminal} with {@code error}, unless it has ended already. */
    private void end(Phase terminal, Throwable error) {
        Phase now;
        do {
            now = phase.get();
            if (now.isTerminal()) {
                return;
            }
        } while (!phase.compareAndSet(now, terminal));
        release();
        task.setError(error);
        task.complete();
    }

    // ------------------------------------------------------------------ any thread

    /** The task's cancel hook, in the cancelling thread. */
    private void cancelled() {
        Phase now;
        do {
            now = phase.get();
            if (now.isTerminal()) {
                return; // CONNECTED: the result's cleanup closes the channel
            }
        } while (!phase.compareAndSet(now, Phase.CANCELLED));
        release();
    }

    /** Removes the timers and the watch, stops the lookup, closes the channel in flight. Idempotent. */
    private void release() {
        cancel(watch);
        cancel(attemptTimer);
        cancel(overallTimer);
        Task<SocketAddress, List<SocketAddress>> running = lookup;
        if (running != null) {
            running.cancel(false, "the connect no longer needs it");
        }
        closeChannel();
    }

    private void closeChannel() {
        SocketChannel open = channel.getAndSet(null);
        if (open != null) {
            Connection.closeQuietly(open);
        }
    }

    private static void cancel(EventSource source) {
        if (source != null) {
            source.cancel();
        }
    }

    /** For diagnostics and tests: where the connect stands. */
    Phase phase() {
        return phase.get();
    }
}
