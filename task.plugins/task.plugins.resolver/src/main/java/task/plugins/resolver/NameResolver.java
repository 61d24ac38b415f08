package task.plugins.resolver;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCallback;
import task.api.TaskCancelledException;
import task.api.TaskService;
import task.plugins.resolver.internal.HostLookup;
import task.plugins.resolver.internal.Resolution;

/**
 * Resolves socket addresses to numeric ones (QEMU's {@code QIODNSResolver}).
 * <ul>
 * <li>Non-network addresses (a {@link UnixDomainSocketAddress}, or any
 * socket address that is not an {@link InetSocketAddress}) pass through
 * unchanged, without a lookup or a thread.</li>
 * <li>A resolved {@link InetSocketAddress}, or an unresolved one whose host
 * is a numeric IPv4 or IPv6 address (decided on the text, and converted
 * from its digits, never by a lookup), passes straight through, without a
 * thread. A host that some resolver could read as a number but that is not
 * a dotted quad or an IPv6 address ({@code 127.1}, {@code 0x7f.0.0.1},
 * {@code 127.0.0.1.}) is refused, as {@link SocketAddresses#parse} refuses
 * it, so that no DNS server decides where it goes.</li>
 * <li>Anything else is looked up with the system resolver; a success always
 * has at least one address.</li>
 * </ul>
 * Differences from upstream: an {@link AddressFamily} chooses IPv4-only or
 * IPv6-only results (a numeric address of the other family is an error);
 * host names are checked (labels of at most 63 characters, names of at most
 * 253, letters, digits and '-') before anything starts; and the task form
 * can be cancelled.
 * <p>
 * Threading: every method may be called from any thread.
 */
public final class NameResolver {
    private NameResolver() {
    }

    /**
     * Resolves {@code address} in the calling thread, which may block on a
     * lookup ({@code qio_dns_resolver_lookup_sync}). The lookup is not
     * interruptible.
     *
     * @param address an {@link InetSocketAddress} (resolved or not) or any
     *        other socket address; not null
     * @param family which addresses to keep; not null
     * @return an immutable list of at least one address: numeric
     *         {@link InetSocketAddress}es with the given port, in the
     *         resolver's order, or {@code address} itself if it is not an
     *         internet address
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the host is empty ("resolve: host
     *         not specified") or malformed, numeric-looking forms other than
     *         a dotted quad or an IPv6 address included (the message names it)
     * @throws UnknownHostException if the lookup fails or finds no address of
     *         the family, or a numeric address is of the wrong family; the
     *         message names host, port and cause
     */
    public static List<SocketAddress> resolve(SocketAddress address, AddressFamily family)
            throws UnknownHostException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(family, "family");
        Resolution.check(address);
        return Resolution.now(address, family, HostLookup.SYSTEM);
    }

    /**
     * Resolves {@code address} as a task ({@code qio_dns_resolver_lookup_async}):
     * a lookup runs in the thread runner; an address that needs none (see
     * the class description) completes without a thread, its outcome set at
     * once and {@link Task#complete()} posted to {@code context}. Either way
     * the callback runs on {@code context}'s thread, and reads with
     * {@link Task#result()} the list that
     * {@link #resolve(SocketAddress, AddressFamily)} returns, or with
     * {@link Task#propagateError()} its {@link UnknownHostException}.
     * <p>
     * Cancellation: a task cancelled before its lookup starts makes none; one
     * cancelled during the lookup drops the lookup's result when it returns.
     * The callback of a cancelled task gets a {@link TaskCancelledException}
     * at once, without waiting for the lookup.
     * <p>
     * Happens-before: this call happens-before the lookup; the lookup
     * happens-before the callback.
     *
     * @param tasks creates the task, and so owns it; not null
     * @param address the address to resolve; not null
     * @param family which addresses to keep; not null
     * @param context where the callback runs, or null for the default context
     * @param callback called once with the task; not null
     * @return the task, named after the address
     * @throws NullPointerException if an argument other than {@code context} is null
     * @throws IllegalArgumentException if the host is empty ("resolve: host
     *         not specified") or malformed; nothing is started
     * @throws java.util.concurrent.RejectedExecutionException if the context
     *         is closed and the address needs no lookup; the task has been
     *         disposed and the callback will not run
     */
    public static Task<SocketAddress, List<SocketAddress>> resolve(TaskService tasks, SocketAddress address,
            AddressFamily family, EventContext context, TaskCallback<SocketAddress, List<SocketAddress>> callback) {
        return resolve(tasks, address, family, context, callback, HostLookup.SYSTEM);
    }

    /** The task form with the lookup given, for tests that hold a lookup open. */
    static Task<SocketAddress, List<SocketAddress>> resolve(TaskService tasks, SocketAddress address,
            AddressFamily family, EventContext context, TaskCallback<SocketAddress, List<SocketAddress>> callback,
            HostLookup lookup) {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(callback, "callback");
        Resolution.check(address);
        EventContext target = context != null ? context : tasks.defaultContext();
        Task<SocketAddress, List<SocketAddress>> task = tasks.builder(address, callback)
                .name("resolve " + SocketAddresses.format(address))
                .context(target)
                .create();
        Resolution.start(task, address, family, target, lookup, Function.identity());
        return task;
    }
}
