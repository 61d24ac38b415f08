package task.plugins.resolver.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.StringJoiner;

import task.plugins.resolver.SocketAddresses;

/**
 * The {@code resolve} operation's result: the addresses, and how the shell
 * prints them, one numeric address per line: with a port
 * ({@code 127.0.0.1:80}, {@code [::1]:80}) when the caller gave one,
 * otherwise the host address alone ({@code 127.0.0.1}, {@code ::1}).
 * Immutable, so any thread.
 */
public final class ResolvedAddresses {
    private final List<SocketAddress> addresses;
    private final boolean withPort;

    ResolvedAddresses(List<SocketAddress> addresses, boolean withPort) {
        this.addresses = List.copyOf(addresses);
        this.withPort = withPort;
    }

    /**
     * The addresses, as {@code NameResolver} returned them.
     *
     * @return an immutable list of at least one address
     */
    public List<SocketAddress> addresses() {
        return addresses;
    }

    /** @return one address per line, without a final line break */
    @Override
    public String toString() {
        StringJoiner lines = new StringJoiner("\n");
        for (SocketAddress address : addresses) {
            if (!withPort && address instanceof InetSocketAddress && !((InetSocketAddress) address).isUnresolved()) {
                lines.add(SocketAddresses.format(((InetSocketAddress) address).getAddress()));
            } else {
                lines.add(SocketAddresses.format(address));
            }
        }
        return lines.toString();
    }
}
