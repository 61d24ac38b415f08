package task.plugins.listener;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import task.api.EventContext;
import task.api.TaskService;

/**
 * The result of the {@code listen} operation: a {@link NetListener} serving
 * an echo service. Its {@link #toString()} is what the shell prints,
 * {@code listening on 127.0.0.1:43211} (every bound address, comma-separated).
 * <p>
 * It runs until {@link #disconnect()}, which a plain-Java caller must call;
 * in OSGi the operation's component also disconnects it when the plugin
 * stops. Threading: every method may be called from any thread.
 */
public final class EchoListener implements AutoCloseable {
    private final NetListener listener;
    private final EchoService echo;
    private final List<SocketAddress> addresses;
    private final Consumer<EchoListener> onDisconnected;
    private final AtomicBoolean disconnected = new AtomicBoolean();
    /** Lists this listener among the tasks in flight until it disconnects; cancelling it disconnects. */
    private final OpenTask presence;

    EchoListener(NetListener listener, EchoService echo, Consumer<EchoListener> onDisconnected, TaskService tasks,
            EventContext context) {
        this.listener = listener;
        this.echo = echo;
        this.addresses = listener.localAddresses();
        this.onDisconnected = onDisconnected;
        // Last: the hook may only run once the fields it reads are set (never at once: the task is new).
        this.presence = OpenTask.open(tasks, "echo " + Addresses.format(addresses), this, context, this::disconnect);
    }

    /**
     * The listener underneath, for its addresses and state. Setting another
     * handler on it replaces the echo service.
     *
     * @return the listener
     */
    public NetListener listener() {
        return listener;
    }

    /**
     * The addresses it listens on.
     *
     * @return the local addresses, at least one
     */
    public List<SocketAddress> addresses() {
        return addresses;
    }

    /**
     * The clients being served now.
     *
     * @return zero or more
     */
    public int clientCount() {
        return echo.clientCount();
    }

    /**
     * Stops listening and closes every client, each exactly once. Idempotent.
     */
    public void disconnect() {
        if (!disconnected.compareAndSet(false, true)) {
            return;
        }
        listener.disconnect();
        echo.closeAll();
        onDisconnected.accept(this);
        presence.closed();
    }

    /**
     * The id of the task that stands for this listener while it listens:
     * {@code task:tasks} lists it, and cancelling it ({@code task:cancel ID})
     * disconnects the listener.
     *
     * @return the task's id
     */
    public long taskId() {
        return presence.id();
    }

    /** Same as {@link #disconnect()}. */
    @Override
    public void close() {
        disconnect();
    }

    /** @return {@code listening on ADDRESS, ...}, or {@code disconnected from ...} */
    @Override
    public String toString() {
        return (disconnected.get() ? "disconnected from " : "listening on ") + Addresses.format(addresses);
    }
}
