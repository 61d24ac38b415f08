package task.plugins.listener;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskService;
import task.api.spi.Operation;
import task.api.spi.OperationRequest;
import task.plugins.resolver.SocketAddresses;

/**
 * The operation {@code listen ADDRESS [BACKLOG]}: opens a {@link NetListener}
 * on every address ADDRESS resolves to ({@code HOST:PORT}, port 0 picking
 * one; {@code [IPV6]:PORT}; {@code unix:PATH}) and runs an echo service on
 * it, on the request's context. The task's result is an {@link EchoListener},
 * printed as {@code listening on 127.0.0.1:43211}.
 * <p>
 * The listeners outlive their tasks. This instance keeps track of those it
 * opened: in OSGi it is a DS component, and deactivating it (the plugin
 * stopping) disconnects them all, with their clients. In plain Java it is
 * found through {@link java.util.ServiceLoader}; end a listener with
 * {@link EchoListener#disconnect()}, or all of them with {@link #closeAll()}.
 * <p>
 * Threading: every method may be called from any thread.
 */
@Component(service = Operation.class)
public class ListenOperation implements Operation {
    /**
     * The backlog when none is given: the largest the kernel grants, read
     * from {@code /proc/sys/net/core/somaxconn} on Linux (4096 by default
     * since Linux 5.4), else 4096; read once, when the class is loaded. A
     * queue of 16, or Java's default of 50, overflows in a burst of
     * connects: Linux then drops the SYNs, which clients retry only after
     * a second or more, or even the last ACK of a handshake the client
     * already takes for complete. The kernel caps any larger request at
     * somaxconn anyway, so asking for it (as Go's net package does) gives
     * the deepest queue the administrator allows, and no more. Not a
     * compile-time constant, since it depends on the host.
     */
    public static final int DEFAULT_BACKLOG = ListenChecks.defaultBacklog(ListenChecks.SOMAXCONN);

    private static final List<Argument> ARGUMENTS = List.of(
            new Argument("address", "HOST:PORT, [IPV6]:PORT or unix:PATH; port 0 picks a free port", true),
            new Argument("backlog", "connections waiting to be accepted, 1.." + ListenChecks.MAX_BACKLOG
                    + " (default " + DEFAULT_BACKLOG + ")", false));

    /*
     * `open` holds the listeners started and not yet disconnected; `stopped`
     * turns true once, on deactivation. Both are guarded by `open`, so a
     * worker that finishes as the component deactivates either registers
     * its listener before the sweep (and is disconnected by it) or sees
     * `stopped` and disconnects its own.
     */
    private final Set<EchoListener> open = new LinkedHashSet<>();
    private boolean stopped;

    /** Creates the operation; public for {@link java.util.ServiceLoader}. */
    public ListenOperation() {
    }

    @Override
    public String name() {
        return ListenChecks.OPERATION;
    }

    @Override
    public String description() {
        return "listen on an address and echo what each client sends; prints the bound addresses";
    }

    @Override
    public List<Argument> arguments() {
        return ARGUMENTS;
    }

    /**
     * Checks the arguments, then resolves and binds in the thread runner;
     * the task completes on the request's context with an {@link EchoListener}
     * or with the error of {@link NetListener#open}. If the task is
     * cancelled or disposed before its callback runs, the listener it opened
     * is disconnected.
     *
     * @throws IllegalArgumentException naming the operation and the value,
     *         for a malformed or out-of-range address or backlog, or a UNIX
     *         path whose directory does not exist (or that exists already);
     *         nothing is started (the registry has already checked the
     *         number of arguments)
     */
    @Override
    public void start(Task<OperationRequest, Object> task) {
        OperationRequest request = task.source();
        List<String> arguments = request.arguments();
        // The registry has checked the count against ARGUMENTS.
        SocketAddress address = SocketAddresses.parse(name(), request.argument(0, "address"), true);
        if (address instanceof UnixDomainSocketAddress) {
            ListenChecks.unixPath((UnixDomainSocketAddress) address);
        }
        int backlog = arguments.size() > 1 ? ListenChecks.backlog(arguments.get(1)) : DEFAULT_BACKLOG;
        EventContext context = request.context();
        task.runInThread(running -> {
            EchoListener result = openEcho(request.toString(), address, backlog, context, request.tasks());
            // A cancelled task never shows its result to anyone: end the listener with it.
            running.setResult(result, ignored -> {
                if (running.isCancelled()) {
                    result.disconnect();
                }
            });
        }, null, context);
    }

    private EchoListener openEcho(String name, SocketAddress address, int backlog, EventContext context,
            TaskService tasks) throws java.io.IOException {
        NetListener listener = new NetListener(name);
        EchoService echo = new EchoService(context, tasks);
        listener.open(address, backlog);
        EchoListener result;
        try {
            result = new EchoListener(listener, echo, this::forget, tasks, context);
        } catch (RuntimeException noTask) {
            listener.disconnect(); // the requester's task service is gone: nobody would ever close it
            throw noTask;
        }
        boolean tracked;
        synchronized (open) {
            tracked = !stopped && open.add(result);
        }
        if (!tracked) {
            result.disconnect();
            throw new IllegalStateException(name() + ": the operation was stopped while opening " + name);
        }
        try {
            // A sweep in between has disconnected the listener: this is then a no-op.
            listener.setClientHandler(echo, context);
        } catch (RuntimeException closedContext) {
            result.disconnect();
            throw closedContext;
        }
        return result;
    }

    private void forget(EchoListener listener) {
        synchronized (open) {
            open.remove(listener);
        }
    }

    /**
     * The listeners this instance opened that are still listening.
     *
     * @return a snapshot, in opening order
     */
    public List<EchoListener> listeners() {
        synchronized (open) {
            return List.copyOf(open);
        }
    }

    /**
     * Disconnects every listener this instance opened and closes their
     * clients, each exactly once. The operation stays usable.
     */
    public void closeAll() {
        List<EchoListener> closing;
        synchronized (open) {
            closing = new ArrayList<>(open);
        }
        closing.forEach(EchoListener::disconnect);
    }

    /**
     * The plugin stops: no listener may outlive it. Later openings
     * disconnect themselves and fail.
     */
    @Deactivate
    void deactivate() {
        synchronized (open) {
            stopped = true;
        }
        closeAll();
    }
}
