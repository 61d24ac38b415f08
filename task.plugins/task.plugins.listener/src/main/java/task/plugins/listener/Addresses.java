package task.plugins.listener;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Socket addresses as users write them: {@code 127.0.0.1:80},
 * {@code [::1]:80}, {@code unix:/run/x.sock} (the forms the operation
 * parses), rather than {@link InetSocketAddress#toString()}'s
 * {@code localhost/127.0.0.1:80}. Stateless.
 */
final class Addresses {
    private Addresses() {
    }

    static String format(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress) {
            return "unix:" + ((UnixDomainSocketAddress) address).getPath();
        }
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            InetAddress ip = inet.getAddress();
            if (ip == null) {
                String host = inet.getHostString();
                return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
            }
            if (ip instanceof Inet6Address) {
                return "[" + compress(ip.getHostAddress()) + "]:" + inet.getPort();
            }
            return ip.getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    static String format(List<? extends SocketAddress> addresses) {
        return addresses.stream().map(Addresses::format).collect(Collectors.joining(", "));
    }

    /**
     * Shortens Java's full IPv6 form ({@code 0:0:0:0:0:0:0:1}) to the usual
     * one ({@code ::1}): the longest run of two or more zero groups becomes
     * {@code ::} (RFC 5952). A {@code %scope} suffix is kept.
     */
    static String compress(String full) {
        int percent = full.indexOf('%');
        String scope = percent < 0 ? "" : full.substring(percent);
        String[] groups = (percent < 0 ? full : full.substring(0, percent)).split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
        }
        if (bestStart < 0) {
            return String.join(":", groups) + scope;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail + scope;
    }
}
