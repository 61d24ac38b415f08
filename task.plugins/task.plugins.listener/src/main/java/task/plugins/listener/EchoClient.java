package task.plugins.listener;

import java.io.IOException;
import java.net.SocketAddress;
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
 * does not take a whole buffer at once; reading pauses so that a client
 * that never reads cannot make us buffer without bound) -> READING ...;
 * any -> CLOSED on end of stream, an I/O error, a closed context or
 * {@link #close()}. Exactly one watch exists at a time, and each watch
 * callback that switches state ends itself by returning false.
 * <p>
 * Threading: the buffer and the switches are confined to the context's
 * thread (watch callbacks). {@link #close()} may come from any thread
 * (the operation's deactivation); {@code closed} makes it run once, and
 * closing the channel ends its watch.
 */
final class EchoClient {
    private static final int BUFFER = 8192;

    private final SocketChannel channel;
    private final EventContext context;
    private final Consumer<EchoClient> onClosed;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Confined to the context's thread: filled while READING, drained while WRITING. */
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);

    /** Lists this client among the tasks in flight until it closes; cancelling it closes the client. */
    private final OpenTask presence;

    EchoClient(SocketChannel channel, EventContext context, Consumer<EchoClient> onClosed, TaskService tasks) {
        this.channel = channel;
        this.context = context;
        this.onClosed = onClosed;
        this.presence = OpenTask.open(tasks, "echo client " + this, this, context, this::close);
    }

    /** Starts reading; on the context's thread, where the listener hands clients over. */
    void start() {
        try {
            channel.configureBlocking(false);
            context.watch(channel, SelectionKey.OP_READ, ready -> readable());
        } catch (IOException | RuntimeException e) {
            NetListener.log(Level.DEBUG, () -> "echo: cannot serve " + this, e);
            close();
        }
    }

    private boolean readable() {
        try {
            int read = channel.read(buffer);
            if (read < 0) {
                close();
                return false;
            }
            buffer.flip();
            channel.write(buffer);
            if (buffer.hasRemaining()) {
                context.watch(channel, SelectionKey.OP_WRITE, ready -> writable());
                return false;
            }
            buffer.clear();
            return true;
        } catch (IOException | RejectedExecutionException e) {
            NetListener.log(Level.DEBUG, () -> "echo: client " + this + " ends", e);
            close();
            return false;
        }
    }

    private boolean writable() {
        try {
            channel.write(buffer);
            if (buffer.hasRemaining()) {
                return true;
            }
            buffer.clear();
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
