package task.plugins.resolver;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** Which addresses a resolution keeps. */
public enum AddressFamily {
    /** IPv4 and IPv6, in the order the system resolver gives them. */
    ANY,
    /** IPv4 only. */
    IPV4,
    /** IPv6 only. */
    IPV6;

    /**
     * Whether {@code address} belongs to this family.
     *
     * @param address an address
     * @return true if it is kept
     */
    public boolean accepts(InetAddress address) {
        switch (this) {
            case IPV4:
                return address instanceof Inet4Address;
            case IPV6:
                return address instanceof Inet6Address;
            default:
                return true;
        }
    }
}
