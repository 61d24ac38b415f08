package task.plugins.connector;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;

import task.plugins.resolver.SocketAddresses;

/**
 * What the connector needs to know about a socket address: whether it can be
 * connected to, which protocol family opens a channel for it, and how to
 * write it in a message ({@code 127.0.0.1:80}, {@code [::1]:80},
 * {@code localhost:80}, {@code unix:/run/x.sock}).
 * Threading: stateless, any thread.
 */
final class Addresses {
    private Addresses() {
    }

    /**
     * Checks that {@code address} names something to connect to, without a
     * lookup and without opening anything.
     *
     * @throws IllegalArgumentException naming the operation and the address:
     *         an empty or malformed host, port 0, a UNIX path that does not
     *         exist, an address type that is neither internet nor UNIX-domain
     */
    static void checkTarget(String operation, SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            if (inet.isUnresolved()) {
                String host = inet.getHostString();
                if (host.isEmpty()) {
                    throw new IllegalArgumentException(operation + ": host not specified in '" + text(inet) + "'");
                }
                // The same rules as text from a user: labels, length, characters.
                SocketAddresses.parse(operation, text(inet), true);
            }
            if (inet.getPort() == 0) {
                throw new IllegalArgumentException(operation + ": port 0 in '" + text(inet)
                        + "' cannot be connected to (1..65535)");
            }
        } else if (address instanceof UnixDomainSocketAddress unix) {
            if (unix.getPath().toString().isEmpty()) {
                throw new IllegalArgumentException(operation + ": UNIX socket path not specified");
            }
            if (!Files.exists(unix.getPath())) {
                throw new IllegalArgumentException(operation + ": UNIX socket '" + text(unix) + "' does not exist");
            }
        } else {
            throw new IllegalArgumentException(operation + ": cannot connect to a "
                    + address.getClass().getName() + " (" + address + "); give an InetSocketAddress or a"
                    + " UnixDomainSocketAddress");
        }
    }

    /** The family of a channel that can connect to {@code address} (internet or UNIX-domain). */
    static ProtocolFamily family(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress) {
            return StandardProtocolFamily.UNIX;
        }
        InetSocketAddress inet = (InetSocketAddress) address;
        return inet.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /**
     * The address as a person writes it, the resolver's way
     * ({@link SocketAddresses#format(SocketAddress)}: numeric when resolved,
     * IPv6 in brackets and compressed), plus the two cases it has no words
     * for: no address, and the unnamed local end of a UNIX-domain client.
     *
     * @param address an address, or null
     * @return the text; "(none)" for null
     */
    static String text(SocketAddress address) {
        if (address == null) {
            return "(none)";
        }
        if (address instanceof UnixDomainSocketAddress unix && unix.getPath().toString().isEmpty()) {
            return SocketAddresses.UNIX_PREFIX + "(unnamed)";
        }
        return SocketAddresses.format(address);
    }
}
