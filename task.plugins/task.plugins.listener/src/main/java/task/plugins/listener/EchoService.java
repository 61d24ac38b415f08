package task.plugins.listener;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import task.api.EventContext;
import task.api.TaskService;

/**
 * The handler of the {@code listen} operation: each client gets a read
 * watch on the same context and hears back what it sends.
 * <p>
 * States: OPEN -> CLOSED ({@link #closeAll()}). The set of clients and the
 * flag are guarded by {@code this}; a client handed over after the close is
 * closed at once, so none escapes.
 */
final class EchoService implements ClientHandler {
    private final EventContext context;
    private final TaskService tasks;
    /** The clients' read buffer: they all run on {@code context}, one callback at a time. */
    private final EchoBuffer buffer = new EchoBuffer();
    /** Guarded by this. */
    private final Set<EchoClient> clients = new LinkedHashSet<>();
    /** Guarded by this. */
    private boolean closed;

    /**
     * @param context where the clients are served
     * @param tasks owns the task that lists each client while it is served
     */
    EchoService(EventContext context, TaskService tasks) {
        this.context = context;
        this.tasks = tasks;
    }

    /**
     * Serves {@code channel}, which this handler owns from here on.
     *
     * @throws IllegalStateException if the requester's task service is gone (the channel is closed first)
     */
    @Override
    public void onClient(NetListener listener, SocketChannel channel) {
        EchoClient client;
        try {
            client = new EchoClient(channel, context, buffer, this::forget, tasks);
        } catch (RuntimeException e) {
            // No client holds the channel to close it: nobody else will.
            try {
                channel.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        boolean serving;
        synchronized (this) {
            serving = !closed && clients.add(client);
        }
        // Outside the lock: a client that fails at once calls forget(). A
        // closeAll() in between closes the channel, and start() then fails quietly.
        if (serving) {
            client.start();
        } else {
            client.close();
        }
    }

    private synchronized void forget(EchoClient client) {
        clients.remove(client);
    }

    /** The clients WRITING (holding bytes back for their peers); on the context's thread, for tests. */
    synchronized int writingClients() {
        int writing = 0;
        for (EchoClient client : clients) {
            if (client.isWriting()) {
                writing++;
            }
        }
        return writing;
    }

    /** The clients served now. */
    synchronized int clientCount() {
        return clients.size();
    }

    /** Closes every client, each once; later clients are closed on arrival. */
    void closeAll() {
        List<EchoClient> closing;
        synchronized (this) {
            closed = true;
            closing = new ArrayList<>(clients);
        }
        closing.forEach(EchoClient::close);
    }
}
