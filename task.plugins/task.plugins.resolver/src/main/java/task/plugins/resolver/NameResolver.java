package task.plugins.resolver;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskService;

/**
 * Resolves socket addresses to numeric ones (QEMU's {@code QIODNSResolver}).
 * Non-network addresses (UNIX-domain paths) pass through unchanged; a
 * numeric host passes through without a lookup; anything else is looked up
 * with the system resolver. A success always has at least one address.
 * Threading: every method may be called from any thread.
 */
public final class NameResolver {
    private NameResolver() {
    }

    /**
     * Resolves {@code address} in the calling thread, which may block on a
     * lookup ({@code qio_dns_resolver_lookup_sync}).
     *
     * @param address an {@link InetSocketAddress} (resolved or not) or any other socket address
     * @param family which addresses to keep
     * @return at least one address: numeric {@link InetSocketAddress}es with
     *         the given port, or {@code address} itself if it is not an
     *         internet address
     * @throws IllegalArgumentException if the host is empty ("host not specified")
     * @throws UnknownHostException if the lookup fails or finds no address of
     *         the family; the message names host, port and cause
     */
    public static List<SocketAddress> resolve(SocketAddress address, AddressFamily family)
            throws UnknownHostException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(family, "family");
        if (!(address instanceof InetSocketAddress)) {
            return List.of(address);
        }
        InetSocketAddress inet = (InetSocketAddress) address;
        String host = inet.getHostString();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("resolve: host not specified");
        }
        InetAddress[] found;
        try {
            found = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            UnknownHostException named = new UnknownHostException("resolve: cannot resolve host '" + host + "' port "
                    + inet.getPort() + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
        List<SocketAddress> kept = new ArrayList<>(found.length);
        for (InetAddress one : found) {
            if (family.accepts(one)) {
                kept.add(new InetSocketAddress(one, inet.getPort()));
            }
        }
        if (kept.isEmpty()) {
            throw new UnknownHostException("resolve: host '" + host + "' port " + inet.getPort() + " has no "
                    + family + " address");
        }
        return List.copyOf(kept);
    }

    /**
     * Resolves {@code address} as a task ({@code qio_dns_resolver_lookup_async}):
     * a lookup runs in the thread runner; an address that needs none
     * completes without a thread. Either way the callback runs on
     * {@code context}, and the task's result is the list that
     * {@link #resolve(SocketAddress, AddressFamily)} returns (or its error).
     *
     * @param tasks creates the task, and so owns it
     * @param address the address to resolve
     * @param family which addresses to keep
     * @param context where the callback runs, or null for the default context
     * @param callback called once with the task
     * @return the task, named after the address
     * @throws IllegalArgumentException if the host is empty; nothing is started
     */
    public static Task<SocketAddress, List<SocketAddress>> resolve(TaskService tasks, SocketAddress address,
            AddressFamily family, EventContext context, TaskCallback<SocketAddress, List<SocketAddress>> callback) {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(callback, "callback");
        if (address instanceof InetSocketAddress && ((InetSocketAddress) address).getHostString().isEmpty()) {
            throw new IllegalArgumentException("resolve: host not specified");
        }
        EventContext target = context != null ? context : tasks.defaultContext();
        Task<SocketAddress, List<SocketAddress>> task = tasks.builder(address, callback)
                .name("resolve " + address)
                .context(target)
                .create();
        task.runInThread(running -> running.setResult(resolve(running.source(), family)), null, target);
        return task;
    }
}
