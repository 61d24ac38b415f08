package task.plugins.tls;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import task.api.EventContext;
import task.api.EventSource;
import task.api.Task;
import task.api.TaskService;

/**
 * One handshake in flight: the state machine behind {@link TlsHandshake}'s
 * client and server handshakes.
 *
 * <h2>States</h2>
 * One {@code phase} field, changed only by CAS; the four last states are
 * terminal and exactly one of them is ever reached.
 * <pre>
 *  HANDSHAKING --engine NOT_HANDSHAKING, everything sent--> SECURED
 *  HANDSHAKING --engine or socket failed, or the peer closed--> FAILED
 *  HANDSHAKING --timer fired--> TIMED_OUT
 *  HANDSHAKING --task cancelled or disposed--> CANCELLED
 * </pre>
 * Inside HANDSHAKING the engine's own handshake status drives each step
 * ({@link #step}), on the context's thread; this is the {@link SSLEngine}
 * state diagram made non-blocking:
 * <pre>
 *  (ciphertext waiting in netOut) --write--> all sent: next step
 *                                 \--socket full--> OP_WRITE watch, then again
 *  NEED_WRAP       --wrap into netOut--> (send it)
 *  NEED_UNWRAP     --unwrap from netIn--> next step
 *                  \--BUFFER_UNDERFLOW--> read the socket: bytes: unwrap again;
 *                                         none: OP_READ watch, then again;
 *                                         end of stream: FAILED
 *  NEED_TASK       --the engine's delegated tasks, in the runner's threads
 *                    (a subtask)--> its callback, on the context: next step
 *  NOT_HANDSHAKING --> SECURED (the engine reports FINISHED once, then this)
 * </pre>
 * A watch fires once (its callback returns false) and the next wait
 * registers a new one: at most one watch, timer or subtask is pending at a
 * time besides the handshake's timer.
 *
 * <h2>Threads</h2>
 * {@link #start} runs in the caller's thread: it arms the cancel hook and
 * the timer, and posts the first step. Every step, the watches, the timer,
 * the subtask's callback and the completion run on the context's thread;
 * the delegated tasks run in the runner's threads while the context's
 * thread leaves the engine alone (it resumes only in the subtask's
 * callback). The one exception is {@link #cancelled()}, the task's cancel
 * hook, which runs in whichever thread cancels or disposes the task and
 * never touches the engine.
 *
 * <h2>Releasing exactly once</h2>
 * The socket is closed by whoever ends the handshake other than by
 * SECURED (closing a channel is idempotent); on SECURED it goes to the
 * {@link TlsChannel} in the task's result, whose cleanup closes it unless
 * the callback {@linkplain TlsChannel#take() takes} it. The watch, the timer
 * and the subtask are removed by {@link EventSource#cancel()} and
 * {@link Task#cancel(boolean, String)}, idempotent and safe from any thread.
 * A canceller may run {@link #release()} while the context's thread is
 * between registering a watch (or creating a subtask) and publishing it; so
 * the context's thread publishes first and reads {@code phase} second, and
 * the canceller writes {@code phase} first and reads the fields second: with
 * volatile accesses one of them sees the other, and both may release, which
 * is harmless.
 *
 * <h2>Happens-before</h2>
 * The fields a canceller reads ({@code timer}, {@code watch},
 * {@code delegated}) are volatile. The rest (the engine, the buffers, the
 * counts, what the handshake waits for) is confined to the context's thread,
 * and to the runner's thread running the delegated tasks between the
 * subtask's start and its callback: registering a callback with the context
 * happens-before it runs, which carries the constructor's writes there, and
 * the runner's worker happens-before the subtask's callback.
 */
final class Handshaking {
    /** Where a handshake stands; see the class comment. */
    enum Phase {
        HANDSHAKING, SECURED, FAILED, TIMED_OUT, CANCELLED;

        boolean isTerminal() {
            return this != HANDSHAKING;
        }
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Task<SocketChannel, TlsChannel> task;
    private final TaskService tasks;
    private final EventContext context;
    private final SocketChannel channel;
    private final SSLEngine engine;
    private final String peer;
    private final Duration timeout;
    private final SocketAddress local;
    private final SocketAddress remote;

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.HANDSHAKING);

    private volatile EventSource timer;
    private volatile EventSource watch;
    private volatile Task<SSLEngine, Void> delegated;

    /** Confined to the context's thread (see the class comment). */
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    private ByteBuffer netOut;
    private boolean begun;
    private long received;
    private long sent;
    private String waitingFor = "before its first step";

    Handshaking(Task<SocketChannel, TlsChannel> task, TaskService tasks, EventContext context,
            SocketChannel channel, SSLEngine engine, String peer, Duration timeout, SocketAddress local,
            SocketAddress remote) {
        this.task = task;
        this.tasks = tasks;
        this.context = context;
        this.channel = channel;
        this.engine = engine;
        this.peer = peer;
        this.timeout = timeout;
        this.local = local;
        this.remote = remote;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet);
        this.netOut = ByteBuffer.allocate(packet);
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    }

    /**
     * Arms the cancel hook and the timer, then posts the first step. In the
     * caller's thread; returns at once.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the context
     *         is closed: nothing is left running, the task is disposed and
     *         the socket is left open, still the caller's
     */
    void start() {
        // The hook first: a finished task refuses new hooks, and the first
        // step may run on the context's thread before this method returns.
        task.onCancel(this::cancelled);
        try {
            timer = context.schedule(timeout, this::timedOut);
            context.post(this::advance);
        } catch (RuntimeException refused) {
            phase.set(Phase.FAILED);
            cancel(timer);
            task.dispose();
            throw refused;
        }
        if (phase.get().isTerminal()) {
            release(); // cancelled before the timer was published, so nobody could remove it
        }
    }

    // ------------------------------------------------------------------ on the context's thread

    /** Runs steps until the handshake waits, fails or is secured. */
    private void advance() {
        assert context.inContext();
        boolean done;
        try {
            done = step();
        } catch (IOException | RuntimeException failure) {
            failed(failure);
            return;
        }
        // Outside the try: an exception of the task's callback is the
        // caller's to report, not a handshake failure.
        if (done) {
            secured();
        }
    }

    /**
     * The handshake's steps (see the class comment), until it must wait.
     *
     * @return true once the engine has finished and everything is sent
     */
    private boolean step() throws IOException {
        if (!begun) {
            begun = true;
            engine.beginHandshake();
        }
        for (;;) {
            if (phase.get() != Phase.HANDSHAKING) {
                return false;
            }
            if (netOut.position() > 0 && !flush()) {
                await(SelectionKey.OP_WRITE, "sending its handshake data (the peer reads nothing)");
                return false;
            }
            switch (engine.getHandshakeStatus()) {
            case NEED_WRAP:
                wrap();
                break;
            case NEED_UNWRAP:
            case NEED_UNWRAP_AGAIN:
                if (!unwrap()) {
                    await(SelectionKey.OP_READ, "waiting for the peer's handshake data");
                    return false;
                }
                break;
            case NEED_TASK:
                runDelegatedTasks();
                return false;
            case FINISHED:
            case NOT_HANDSHAKING:
                return true;
            default:
                throw new SSLException("unexpected handshake status " + engine.getHandshakeStatus());
            }
        }
    }

    private void wrap() throws SSLException {
        SSLEngineResult result = engine.wrap(EMPTY, netOut);
        switch (result.getStatus()) {
        case OK:
            return;
        case BUFFER_OVERFLOW:
            if (netOut.position() == 0) {
                netOut = ensureRoom(netOut, engine.getSession().getPacketBufferSize());
            } // else the next step sends what is there, then wraps again
            return;
        case CLOSED:
            throw new SSLHandshakeException("the TLS engine closed during the handshake");
        default:
            throw new SSLException("unexpected " + result);
        }
    }

    /** @return false if a whole record is needed and the socket has no more bytes now */
    private boolean unwrap() throws IOException {
        netIn.flip();
        SSLEngineResult result;
        try {
            result = engine.unwrap(netIn, appIn);
        } catch (SSLException e) {
            throw Alerts.explain(netIn, e); // before the compact: the failing record is at index 0
        } finally {
            netIn.compact();
        }
        switch (result.getStatus()) {
        case OK:
            if (result.bytesConsumed() == 0 && result.bytesProduced() == 0
                    && engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_UNWRAP) {
                return read();
            }
            return true;
        case BUFFER_UNDERFLOW:
            netIn = ensureRoom(netIn, Math.max(1, engine.getSession().getPacketBufferSize() - netIn.position()));
            return read();
        case BUFFER_OVERFLOW:
            appIn = ensureRoom(appIn, engine.getSession().getApplicationBufferSize());
            return true;
        case CLOSED:
            throw new SSLHandshakeException("the peer closed the TLS connection (close_notify) during the handshake ("
                    + counts() + ")");
        default:
            throw new SSLException("unexpected " + result);
        }
    }

    /** @return true if bytes came */
    private boolean read() throws IOException {
        int count = channel.read(netIn);
        if (count < 0) {
            throw new SSLHandshakeException("the peer closed the connection (" + counts() + ")");
        }
        received += count;
        return count > 0;
    }

    /** @return true if {@link #netOut} is empty afterwards */
    private boolean flush() throws IOException {
        netOut.flip();
        try {
            sent += channel.write(netOut);
        } finally {
            netOut.compact();
        }
        return netOut.position() == 0;
    }

    /** Waits for {@code ops} with a one-shot watch, then goes on. */
    private void await(int ops, String what) {
        waitingFor = what;
        EventSource mine = context.watch(channel, ops, ready -> {
            advance();
            return false;
        });
        watch = mine;
        if (phase.get().isTerminal()) {
            mine.cancel(); // a canceller missed this watch
        }
    }

    /** Hands the engine's delegated tasks to the runner as a subtask; its callback goes on. */
    private void runDelegatedTasks() {
        waitingFor = "running the engine's delegated tasks";
        Task<SSLEngine, Void> subtask = tasks.<SSLEngine, Void>builder(engine, this::delegatedDone)
                .name("tls tasks " + peer)
                .context(context)
                .create();
        delegated = subtask;
        if (phase.get().isTerminal()) {
            subtask.dispose(); // a canceller missed this subtask: it never runs
            return;
        }
        subtask.runInThread(running -> {
            SSLEngine busy = running.source();
            Runnable work;
            while ((work = busy.getDelegatedTask()) != null) {
                work.run();
            }
        }, null, context);
    }

    /** The subtask's callback, on the context's thread. */
    private void delegatedDone(Task<SSLEngine, Void> done) {
        Throwable error = done.propagateError();
        if (phase.get() != Phase.HANDSHAKING) {
            return; // ended meanwhile (the canceller also cancelled the subtask)
        }
        if (error != null) {
            failed(error); // the runner refused the work, or a delegated task threw
            return;
        }
        advance();
    }

    /** Hands the secured socket to the task and completes it. */
    private void secured() {
        if (!phase.compareAndSet(Phase.HANDSHAKING, Phase.SECURED)) {
            return; // cancelled: the canceller has closed, or will close, the socket
        }
        // On this thread a cancelled watch drops the socket's selection key
        // at once, so the callback may make the socket blocking.
        cancel(watch);
        cancel(timer);
        TlsChannel secured = new TlsChannel(channel, engine, peer, local, remote, netIn, appIn, netOut);
        // A cancel that slips in from here on finds SECURED and closes
        // nothing: the result's cleanup closes the channel when the
        // cancelled task finishes, and complete() below then does nothing.
        task.setResult(secured, TlsChannel.cleanup());
        task.complete();
    }

    /** Ends the handshake with {@code cause}, unless it has ended already. */
    private void failed(Throwable cause) {
        if (!phase.compareAndSet(Phase.HANDSHAKING, Phase.FAILED)) {
            return;
        }
        sendAlert();
        release();
        String why = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        SSLHandshakeException error = new SSLHandshakeException("tls: handshake with " + peer + " failed: " + why);
        error.initCause(cause);
        task.setError(error);
        task.complete();
    }

    /** The timer. */
    private void timedOut() {
        if (!phase.compareAndSet(Phase.HANDSHAKING, Phase.TIMED_OUT)) {
            return;
        }
        // No alert: a delegated task may be using the engine right now.
        release();
        task.setError(new SocketTimeoutException("tls: handshake with " + peer + " timed out after "
                + timeout.toMillis() + " ms " + waitingFor + " (" + counts() + ")"));
        task.complete();
    }

    /**
     * Best effort: sends what the engine has to say after a failure (the
     * alert naming it) with one non-blocking write. Only when no delegated
     * task runs, which holds wherever {@link #failed} is called.
     */
    private void sendAlert() {
        try {
            for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                SSLEngineResult result = engine.wrap(EMPTY, netOut);
                if (result.bytesProduced() == 0) {
                    break;
                }
            }
            if (netOut.position() > 0) {
                flush();
            }
            discardInput(channel);
        } catch (IOException | RuntimeException bestEffort) {
            // The alert is a courtesy; the failure is reported either way.
        }
    }

    private String counts() {
        return received + " bytes received, " + sent + " sent";
    }

    // ------------------------------------------------------------------ any thread

    /** The task's cancel hook, in the cancelling thread. */
    private void cancelled() {
        if (phase.compareAndSet(Phase.HANDSHAKING, Phase.CANCELLED)) {
            release();
        }
        // Otherwise ended already; SECURED: the result's cleanup closes the channel.
    }

    /** Removes the timer and the watch, stops the subtask, closes the socket. Idempotent. */
    private void release() {
        cancel(watch);
        cancel(timer);
        Task<SSLEngine, Void> running = delegated;
        if (running != null) {
            running.cancel(false, "the handshake no longer needs it");
        }
        closeQuietly(channel);
    }

    private static void cancel(EventSource source) {
        if (source != null) {
            source.cancel();
        }
    }

    static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing releases the descriptor even when it reports an error;
            // there is nothing left to undo and nobody to tell.
        }
    }

    /**
     * Reads and drops what has arrived on a non-blocking socket about to be
     * closed: a socket closed with unread bytes sends a reset, and a peer
     * that gets the reset before reading our last record (close_notify, an
     * alert) may lose it. At most 64 KiB; stops when nothing more is there.
     */
    static void discardInput(SocketChannel channel) throws IOException {
        if (channel.isBlocking()) {
            return;
        }
        ByteBuffer sink = ByteBuffer.allocate(4096);
        for (int i = 0; i < 16; i++) {
            sink.clear();
            if (channel.read(sink) <= 0) {
                return;
            }
        }
    }

    /**
     * A buffer (in write mode) with at least {@code free} bytes free: this
     * one, or a larger copy of it.
     */
    static ByteBuffer ensureRoom(ByteBuffer buffer, int free) {
        if (buffer.remaining() >= free) {
            return buffer;
        }
        ByteBuffer larger = ByteBuffer.allocate(buffer.position() + free);
        buffer.flip();
        larger.put(buffer);
        return larger;
    }

    // ------------------------------------------------------------------ for tests and diagnostics

    /** @return where the handshake stands */
    Phase phase() {
        return phase.get();
    }

    /** @return whether a watch or the timer may still fire */
    boolean anythingArmed() {
        EventSource w = watch;
        EventSource t = timer;
        return (w != null && w.isActive()) || (t != null && t.isActive());
    }

    /** @return the socket being secured */
    SocketChannel channel() {
        return channel;
    }

    /** @return the handshake's task */
    Task<SocketChannel, TlsChannel> task() {
        return task;
    }
}
