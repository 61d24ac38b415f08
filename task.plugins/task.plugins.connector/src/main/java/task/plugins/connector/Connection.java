package task.plugins.connector;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The result of a successful {@link Connector#connect}: a connected channel
 * and who owns it.
 * <p>
 * <b>Ownership.</b> The task owns the channel: the task's result cleanup
 * closes it when the task finishes, right after the callback returns. A
 * callback that wants to keep the channel calls {@link #take()}, which hands
 * it over (the cleanup then leaves it open) and makes the caller responsible
 * for closing it. A callback that only needs the channel briefly (to read
 * its addresses, or to write a greeting) uses {@link #channel()} and lets the
 * task close it.
 * <p>
 * <b>Mode.</b> The channel is connected and in non-blocking mode. The
 * connect's watch is removed before the callback runs, so the channel may be
 * switched to blocking mode at once, or watched on any context. (Its
 * cancelled selection key stays with the context's selector until that
 * context next selects, so a close before then releases the descriptor only
 * at that selection.)
 * <p>
 * Threading: every method may be called from any thread; the exactly-once
 * hand-over is decided by one CAS on a single state field
 * (OPEN -> TAKEN, or OPEN -> CLOSED).
 */
public final class Connection {
    private static final int OPEN = 0;
    private static final int TAKEN = 1;
    private static final int CLOSED = 2;

    private final SocketChannel channel;
    private final SocketAddress remote;
    private final SocketAddress local;
    private final AtomicInteger state = new AtomicInteger(OPEN);

    /**
     * @param channel a connected channel
     * @param remote the address it connected to
     */
    Connection(SocketChannel channel, SocketAddress remote) {
        this.channel = channel;
        this.remote = remote;
        this.local = localAddressOf(channel);
    }

    /**
     * The connected channel, without taking it: the task still closes it when
     * it finishes, unless someone {@linkplain #take() takes} it.
     *
     * @return the channel
     */
    public SocketChannel channel() {
        return channel;
    }

    /**
     * Takes the channel: from now on the caller owns it and must close it;
     * the task's cleanup leaves it open. Usually called from the callback.
     *
     * @return the channel, connected and non-blocking
     * @throws IllegalStateException if the channel was already taken, or
     *         already closed by the task's cleanup (the task has finished)
     */
    public SocketChannel take() {
        if (state.compareAndSet(OPEN, TAKEN)) {
            return channel;
        }
        throw new IllegalStateException("connect: cannot take the channel (" + this + "): "
                + (state.get() == TAKEN ? "it was already taken" : "it was closed when its task finished"));
    }

    /**
     * Whether {@link #take()} has handed the channel over.
     *
     * @return true once taken
     */
    public boolean isTaken() {
        return state.get() == TAKEN;
    }

    /**
     * The address connected to: one of the resolved addresses, numeric.
     *
     * @return the remote address
     */
    public SocketAddress remoteAddress() {
        return remote;
    }

    /**
     * The channel's local address, read when it connected.
     *
     * @return the local address, or null if the system could not tell
     */
    public SocketAddress localAddress() {
        return local;
    }

    /**
     * Closes the channel unless it was taken: the task's result cleanup.
     * Exactly once, whichever thread finishes the task.
     */
    void release() {
        if (state.compareAndSet(OPEN, CLOSED)) {
            closeQuietly(channel);
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

    private static SocketAddress localAddressOf(SocketChannel channel) {
        try {
            return channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * @return {@code connected LOCAL -> REMOTE}, for example
     *         {@code connected 127.0.0.1:51514 -> 127.0.0.1:43211}
     */
    @Override
    public String toString() {
        return "connected " + Addresses.text(local) + " -> " + Addresses.text(remote);
    }
}
