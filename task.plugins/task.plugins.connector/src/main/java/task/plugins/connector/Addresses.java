package task.plugins.connector;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.util.Objects;

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
     * The address as a person writes it: a numeric address when there is one
     * (resolved addresses are written by number, not by the name they came
     * from), else the host as given; IPv6 in brackets and compressed.
     *
     * @param address an address, or null
     * @return the text; "(none)" for null
     */
    static String text(SocketAddress address) {
        if (address == null) {
            return "(none)";
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            String path = unix.getPath().toString();
            return path.isEmpty() ? "unix:(unnamed)" : "unix:" + path;
        }
        if (address instanceof InetSocketAddress inet) {
            InetAddress numeric = inet.getAddress();
            String host = numeric != null ? numeric(numeric) : inet.getHostString();
            boolean v6 = host.indexOf(':') >= 0;
            return (v6 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /** The requested address as the caller wrote it: its host string, not its number. */
    static String requested(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getHostString();
            boolean v6 = host.indexOf(':') >= 0;
            return (v6 ? "[" + compress(host) + "]" : host) + ":" + inet.getPort();
        }
        return text(address);
    }

    private static String numeric(InetAddress address) {
        String text = Objects.requireNonNull(address.getHostAddress());
        return address instanceof Inet6Address ? compress(text) : text;
    }

    /**
     * Compresses an IPv6 text the way RFC 5952 writes it: the longest run of
     * two or more zero groups (the first, on a tie) becomes "::", and leading
     * zeros go. Java writes {@code 0:0:0:0:0:0:0:1}; people write {@code ::1}.
     * A {@code %scope} is kept; text that is not eight groups is returned as is.
     */
    static String compress(String text) {
        int percent = text.indexOf('%');
        String scope = percent < 0 ? "" : text.substring(percent);
        String[] groups = (percent < 0 ? text : text.substring(0, percent)).split(":", -1);
        if (groups.length != 8) {
            return text;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (isZero(groups[i])) {
                int j = i;
                while (j < 8 && isZero(groups[j])) {
                    j++;
                }
                if (j - i > bestLength) {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(stripZeros(groups[i]));
        }
        return out + scope;
    }

    private static boolean isZero(String group) {
        return !group.isEmpty() && group.chars().allMatch(c -> c == '0');
    }

    private static String stripZeros(String group) {
        int i = 0;
        while (i < group.length() - 1 && group.charAt(i) == '0') {
            i++;
        }
        return group.substring(i).toLowerCase(java.util.Locale.ROOT);
    }
}
