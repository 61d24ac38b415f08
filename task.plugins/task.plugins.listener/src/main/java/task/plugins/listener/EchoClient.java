package task.plugins.listener;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import task.api.EventContext;
import task.api.TaskService;

/**
 * One client of the echo service: what it reads, it writes back.
 * <p>
 * States: READING (a read watch) -> WRITING (a write watch, when the peer
 * does not take all that was read at once; reading pauses so that a client
 * that never reads cannot make us buffer without bound) -> READING ...;
 * any -> CLOSED on end of stream, an I/O error, a closed context or
 * {@link #close()}. Exactly one watch exists at a time, and each watch
 * callback that switches state ends itself by returning false.
 * <p>
 * Buffers: while READING a client owns no buffer; it reads into its
 * service's {@link EchoBuffer}, shared by every client of the context, and
 * writes straight back from it. Only what the peer did not take is copied
 * into a buffer of the client's own ({@code unsent}, at most one read's
 * worth), which lives while WRITING and is dropped once written. So an idle
 * or keeping-up client costs no buffer, and a stalled one at most
 * {@link EchoBuffer#CAPACITY} bytes. A read watch that fires reads up to
 * {@value #READS_PER_WAKEUP} times, while each read fills the buffer, before
 * it lets the context run its other sources (the selector is level-triggered:
 * data left fires again on the next iteration).
 * <p>
 * Threading: the buffers and the switches are confined to the context's
 * thread (watch callbacks; the context runs one at a time). {@link #close()}
 * may come from any thread (the operation's deactivation); {@code closed}
 * makes it run once, and closing the channel ends its watch.
 */
final class EchoClient {
    /** Reads per firing of a read watch at most (as Netty's default {@code maxMessagesPerRead}). */
    static final int READS_PER_WAKEUP = 16;

    private final SocketChannel channel;
    private final EventContext context;
    private final EchoBuffer shared;
    private final Consumer<EchoClient> onClosed;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Confined to the context's thread: what the peer has not taken yet while WRITING, else null. */
    private ByteBuffer unsent;

    /** Lists this client among the tasks in flight until it closes; cancelling it closes the client. */
    private final OpenTask presence;

    EchoClient(SocketChannel channel, EventContext context, EchoBuffer shared, Consumer<EchoClient> onClosed,
            TaskService tasks) {
        this.channel = channel;
        this.context = context;
        this.shared = shared;
        this.onClosed = onClosed;
        this.presence = OpenTask.open(tasks, "echo client " + this, this, context, this::close);
    }

    /**
     * Starts reading; on the context's thread, where the listener hands
     * clients over. An echo is interactive: small writes go out at once
     * (TCP_NODELAY, where the socket has it: not on UNIX-domain sockets).
     */
    void start() {
        try {
            channel.configureBlocking(false);
            if (channel.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            context.watch(channel, SelectionKey.OP_READ, ready -> readable());
        } catch (IOException | RuntimeException e) {
            NetListener.log(Level.DEBUG, () -> "echo: cannot serve " + this, e);
            close();
        }
    }

    private boolean readable() {
        try {
            for (int reads = 0; reads < READS_PER_WAKEUP; reads++) {
                ByteBuffer buffer = shared.cleared();
                int read = channel.read(buffer);
                if (read < 0) {
                    close();
                    return false;
                }
                if (read == 0) {
                    return true;
                }
                buffer.flip();
                channel.write(buffer);
                if (buffer.hasRemaining()) {
                    unsent = ByteBuffer.allocate(buffer.remaining()).put(buffer).flip();
                    context.watch(channel, SelectionKey.OP_WRITE, ready -> writable());
                    return false;
                }
                if (read < buffer.capacity()) {
                    return true; // the socket had no more for now
                }
            }
            return true;
        } catch (IOException | RejectedExecutionException e) {
            NetListener.log(Level.DEBUG, () -> "echo: client " + this + " ends", e);
            close();
            return false;
        }
    }

    private boolean writable() {
        try {
            channel.write(unsent);
            if (unsent.hasRemaining()) {
                return true;
            }
            unsent = null;
            context.watch(channel, SelectionKey.OP_READ, ready -> readable());
            return false;
        } catch (IOException | RejectedExecutionException e) {
            NetListener.log(Level.DEBUG, () -> "echo: client " + this + " ends", e);
            close();
            return false;
        }
    }

    /** Closes the client once; from any thread. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            NetListener.log(Level.DEBUG, () -> "echo: closing a client failed", e);
        }
        onClosed.accept(this);
        presence.closed();
    }

    /** Whether the client is WRITING; on the context's thread, for tests. */
    boolean isWriting() {
        return unsent != null;
    }

    boolean isClosed() {
        return closed.get();
    }

    @Override
    public String toString() {
        try {
            SocketAddress remote = channel.getRemoteAddress();
            return remote == null ? "an unconnected client" : Addresses.format(remote);
        } catch (IOException closedAlready) {
            return "a closed client";
        }
    }
}
