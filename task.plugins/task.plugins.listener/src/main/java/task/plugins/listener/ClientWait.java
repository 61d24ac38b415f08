package task.plugins.listener;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.List;

/**
 * One {@link NetListener#waitForClient()}: a private selector on the
 * listener's sockets, as upstream's private {@code GMainContext}. A channel
 * may be registered with several selectors, so this needs no change to the
 * context's registrations; the listener has suspended its handler's watches.
 * <p>
 * Threading: {@link #acceptOne} and {@link #close()} run in the waiting
 * thread; {@link #abort()} comes from {@link NetListener#disconnect()} in
 * any thread. {@code aborted} is volatile and written before the selector
 * is woken (and before the sockets are closed), so a waiter that wakes, or
 * finds a socket closed, sees it.
 */
final class ClientWait implements AutoCloseable {
    private final String listener;
    private final Selector selector;
    private volatile boolean aborted;

    private ClientWait(String listener, Selector selector) {
        this.listener = listener;
        this.selector = selector;
    }

    static ClientWait open(String listener) throws IOException {
        return new ClientWait(listener, Selector.open());
    }

    /** Blocks until one client is accepted on one of {@code sockets}. */
    SocketChannel acceptOne(List<ListeningSocket> sockets) throws IOException {
        try {
            for (ListeningSocket socket : sockets) {
                socket.channel.register(selector, SelectionKey.OP_ACCEPT, socket);
            }
            while (true) {
                if (aborted) {
                    throw new AsynchronousCloseException();
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException(ListenChecks.OPERATION + ": listener '" + listener
                            + "': waitForClient interrupted");
                }
                selector.select();
                Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                while (ready.hasNext()) {
                    SelectionKey key = ready.next();
                    ready.remove();
                    SocketChannel client = ((ListeningSocket) key.attachment()).channel.accept();
                    if (client != null) {
                        return client;
                    }
                }
            }
        } catch (ClosedChannelException closed) {
            // A socket closed under us: that is a disconnect (aborted is set first).
            if (aborted && !(closed instanceof AsynchronousCloseException)) {
                AsynchronousCloseException disconnected = new AsynchronousCloseException();
                disconnected.initCause(closed);
                throw disconnected;
            }
            throw closed;
        }
    }

    /** Ends the wait with {@link AsynchronousCloseException}; from any thread. */
    void abort() {
        aborted = true;
        selector.wakeup();
    }

    @Override
    public void close() throws IOException {
        selector.close();
    }
}
