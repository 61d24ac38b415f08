package task.plugins.connector;

import java.net.SocketAddress;
import java.util.List;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskService;
import task.plugins.resolver.AddressFamily;

/**
 * Starts the name lookup of a connect as a subtask: the resolver's
 * {@link task.plugins.resolver.NameResolver#resolve(TaskService, SocketAddress, AddressFamily, EventContext, TaskCallback)}
 * in production. Tests pass their own to try a chosen list of addresses,
 * which a real name cannot be made to resolve to.
 */
@FunctionalInterface
interface Lookup {
    /**
     * Starts resolving {@code address}; the callback runs once, on {@code context}.
     *
     * @return the lookup's task, which the connect cancels if it no longer needs it
     */
    Task<SocketAddress, List<SocketAddress>> start(TaskService tasks, SocketAddress address, AddressFamily family,
            EventContext context, TaskCallback<SocketAddress, List<SocketAddress>> callback);
}
