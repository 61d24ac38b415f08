package task.plugins.listener;

import java.nio.channels.SocketChannel;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the clients a {@link NetListener} accepts
 * ({@code QIONetListenerClientFunc}).
 */
@ConsumerType
@FunctionalInterface
public interface ClientHandler {

    /**
     * Takes one accepted client.
     * <p>
     * Threading: called on the thread driving the context given to
     * {@link NetListener#setClientHandler(ClientHandler, task.api.EventContext)},
     * one client at a time.
     * <p>
     * Ownership: the handler owns {@code client} from the moment it is
     * called, and must close it, even if it throws. The channel is in
     * blocking mode, as {@link java.nio.channels.ServerSocketChannel#accept()}
     * returns it; a handler that watches it on an event context switches it
     * to non-blocking mode first.
     * <p>
     * Errors: an exception thrown here is reported to the log
     * ({@link System.Logger} {@code task.plugins.listener}); the listener
     * keeps accepting. The handler may call any method of {@code listener},
     * {@link NetListener#disconnect()} included.
     *
     * @param listener the listener that accepted the client
     * @param client the connected client
     */
    void onClient(NetListener listener, SocketChannel client);
}
