package task.plugins.resolver.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

import task.api.EventContext;
import task.api.Task;
import task.plugins.resolver.AddressFamily;
import task.plugins.resolver.SocketAddresses;

/**
 * The resolver's engine, shared by {@code NameResolver} and the
 * {@code resolve} operation: checks an address, decides whether it needs a
 * lookup, and runs that lookup as a task's work.
 * <p>
 * The task path, and why: an address that needs no lookup (numeric, or not
 * an internet address) gets its outcome set on the task at once and
 * {@link Task#complete()} posted to the context, so the callback still runs
 * on the context's thread although no worker exists. Otherwise the lookup
 * runs with {@link Task#runInThread}. Cancellation: the worker checks
 * {@link Task#isCancelled()} before the lookup (none is started for a task
 * cancelled while queued) and after it (its result is dropped); the lookup
 * itself cannot be interrupted, and the task finishes when it returns.
 * Threading: stateless, any thread.
 */
public final class Resolution {
    /** The operation name that messages start with. */
    public static final String OPERATION = "resolve";

    private Resolution() {
    }

    /**
     * Checks an address before anything is started: an internet address
     * that is not resolved yet must have a well-formed, non-empty host, and
     * one that {@linkplain Literals#looksNumeric looks numeric} must be
     * {@linkplain Literals#isNumeric numeric}, so that after this check a
     * host is either converted from its digits or a name (see
     * {@link Literals}).
     *
     * @param address not null
     * @throws IllegalArgumentException "resolve: host not specified", or
     *         naming a malformed host or a numeric-looking one that is not a
     *         dotted quad or an IPv6 address ({@code 127.0.0.1.})
     */
    public static void check(SocketAddress address) {
        if (address instanceof InetSocketAddress && ((InetSocketAddress) address).isUnresolved()) {
            String host = ((InetSocketAddress) address).getHostString();
            if (host.isEmpty()) {
                throw new IllegalArgumentException(OPERATION + ": host not specified");
            }
            SocketAddresses.host(OPERATION, host);
        }
    }

    /**
     * The outcome for an address that needs no lookup: a resolved or
     * numeric internet address, or any other kind of socket address.
     *
     * @param address a {@linkplain #check checked} address
     * @param family which addresses to keep
     * @return a one-element list, or null if a lookup is needed
     * @throws UnknownHostException if the address is numeric but of the
     *         wrong family, or has an IPv6 scope that names no interface here
     */
    static List<SocketAddress> withoutLookup(SocketAddress address, AddressFamily family)
            throws UnknownHostException {
        if (!(address instanceof InetSocketAddress)) {
            return List.of(address);
        }
        InetSocketAddress inet = (InetSocketAddress) address;
        InetAddress numeric;
        if (!inet.isUnresolved()) {
            numeric = inet.getAddress();
        } else {
            String host = inet.getHostString();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (!Literals.isNumeric(host)) {
                return null;
            }
            try {
                // From the digits, not InetAddress.getByName: that hands
                // whatever it does not read as numeric to the system resolver.
                numeric = Literals.address(host);
            } catch (UnknownHostException e) {
                throw failed(inet, e);
            }
        }
        if (!family.accepts(numeric)) {
            throw new UnknownHostException(OPERATION + ": address '" + inet.getHostString() + "' port "
                    + inet.getPort() + " is not an " + family.label() + " address");
        }
        return List.of(new InetSocketAddress(numeric, inet.getPort()));
    }

    /**
     * Looks the address's host up, blocking, and keeps the family's addresses.
     *
     * @param inet an unresolved address with a {@linkplain #check checked},
     *        non-numeric host: a name that looks numeric to no resolver
     * @return at least one numeric address, in the resolver's order
     * @throws UnknownHostException naming host, port and cause
     */
    static List<SocketAddress> lookup(InetSocketAddress inet, AddressFamily family, HostLookup lookup)
            throws UnknownHostException {
        String host = inet.getHostString();
        // check() refuses, and withoutLookup() converts, every host that looks numeric.
        assert !Literals.looksNumeric(host) : host;
        InetAddress[] found;
        try {
            found = lookup.lookup(host);
        } catch (UnknownHostException e) {
            throw failed(inet, e);
        }
        List<SocketAddress> kept = new ArrayList<>(found.length);
        for (InetAddress one : found) {
            if (family.accepts(one)) {
                kept.add(new InetSocketAddress(one, inet.getPort()));
            }
        }
        if (kept.isEmpty()) {
            throw new UnknownHostException(OPERATION + ": host '" + host + "' port " + inet.getPort() + " has no "
                    + family.label() + " address (found " + found.length + " of other families)");
        }
        return List.copyOf(kept);
    }

    /**
     * Resolves in the calling thread.
     *
     * @param address a {@linkplain #check checked} address
     * @return at least one address
     * @throws UnknownHostException as {@link #lookup} and {@link #withoutLookup}
     */
    public static List<SocketAddress> now(SocketAddress address, AddressFamily family, HostLookup lookup)
            throws UnknownHostException {
        List<SocketAddress> ready = withoutLookup(address, family);
        return ready != null ? ready : lookup((InetSocketAddress) address, family, lookup);
    }

    /**
     * Runs the resolution as {@code task}'s work, completing on {@code context}.
     *
     * @param task a new task; its result becomes {@code toResult} of the addresses
     * @param address a {@linkplain #check checked} address
     * @param context where the callback runs, not null
     * @throws RejectedExecutionException if {@code context} is closed and no
     *         worker is needed; the task is then disposed
     */
    public static <S, R> void start(Task<S, R> task, SocketAddress address, AddressFamily family,
            EventContext context, HostLookup lookup, Function<List<SocketAddress>, R> toResult) {
        List<SocketAddress> ready;
        try {
            ready = withoutLookup(address, family);
        } catch (UnknownHostException wrongFamily) {
            task.setError(wrongFamily);
            post(task, context);
            return;
        }
        if (ready != null) {
            task.setResult(toResult.apply(ready));
            post(task, context);
            return;
        }
        InetSocketAddress inet = (InetSocketAddress) address;
        task.runInThread(running -> {
            if (running.isCancelled()) {
                return;
            }
            List<SocketAddress> found = lookup(inet, family, lookup);
            if (running.isCancelled()) {
                return;
            }
            running.setResult(toResult.apply(found));
        }, null, context);
    }

    /**
     * Completes a task without a worker on its context. The outcome was set
     * before the post, and posting happens-before the event runs, so the
     * callback sees it. If the task is cancelled meanwhile, complete() does
     * nothing and the cancelled callback is delivered instead.
     */
    private static void post(Task<?, ?> task, EventContext context) {
        try {
            context.post(task::complete);
        } catch (RejectedExecutionException closed) {
            task.dispose();
            throw closed;
        }
    }

    private static UnknownHostException failed(InetSocketAddress inet, UnknownHostException cause) {
        String host = inet.getHostString();
        String reason = cause.getMessage() == null ? "unknown host" : cause.getMessage();
        // The JDK's message repeats the host ("h: Name or service not known").
        if (reason.startsWith(host + ": ")) {
            reason = reason.substring(host.length() + 2);
        }
        UnknownHostException named = new UnknownHostException(OPERATION + ": cannot resolve host '" + host
                + "' port " + inet.getPort() + ": " + reason);
        named.initCause(cause);
        return named;
    }
}
