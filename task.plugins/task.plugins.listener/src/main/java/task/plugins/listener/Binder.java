package task.plugins.listener;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;

import task.plugins.resolver.AddressFamily;
import task.plugins.resolver.NameResolver;

/**
 * The blocking part of opening a listener: resolve the address, then bind a
 * listening socket on every address found ({@code qio_net_listener_open_sync}
 * with {@code qio_channel_socket_listen_sync}). Stateless; runs in the
 * caller's thread.
 */
final class Binder {
    private Binder() {
    }

    /**
     * Binds every address {@code address} resolves to. With port 0, each
     * socket gets its own ephemeral port.
     *
     * @return the bound sockets, at least one; the caller owns them
     * @throws IOException if no address could be bound: the first failure,
     *         wrapped with the listener's name and the address, later
     *         failures suppressed; nothing is left open. A failed lookup is
     *         the resolver's {@link java.net.UnknownHostException}, as is.
     */
    static List<ListeningSocket> bindAll(String listener, SocketAddress address, int backlog) throws IOException {
        List<SocketAddress> targets = NameResolver.resolve(address, AddressFamily.ANY);
        List<ListeningSocket> bound = new ArrayList<>(targets.size());
        IOException first = null;
        for (SocketAddress target : targets) {
            try {
                bound.add(bind(target, backlog));
            } catch (IOException | RuntimeException failure) {
                // As upstream, a failure is reported only if no address binds.
                IOException named = named(listener, target, failure);
                if (first == null) {
                    first = named;
                } else {
                    first.addSuppressed(named);
                }
            }
        }
        if (bound.isEmpty()) {
            throw first;
        }
        return bound;
    }

    private static ListeningSocket bind(SocketAddress target, int backlog) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open(family(target));
        try {
            channel.bind(target, backlog);
            // The context's watches need it; accepted clients are blocking regardless.
            channel.configureBlocking(false);
            return ListeningSocket.bound(channel);
        } catch (IOException | RuntimeException failure) {
            try {
                channel.close();
            } catch (IOException closing) {
                failure.addSuppressed(closing);
            }
            throw failure;
        }
    }

    private static ProtocolFamily family(SocketAddress target) {
        if (target instanceof InetSocketAddress) {
            return ((InetSocketAddress) target).getAddress() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        }
        return StandardProtocolFamily.UNIX;
    }

    private static IOException named(String listener, SocketAddress target, Throwable failure) {
        String message = ListenChecks.OPERATION + ": listener '" + listener + "' cannot listen on "
                + Addresses.format(target) + ": " + failure.getMessage();
        IOException named = failure instanceof BindException ? new BindException(message) : new IOException(message);
        named.initCause(failure);
        return named;
    }
}
