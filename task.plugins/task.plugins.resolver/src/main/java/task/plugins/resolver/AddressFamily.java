package task.plugins.resolver;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Objects;

/** Which addresses a resolution keeps. */
public enum AddressFamily {
    /** IPv4 and IPv6, in the order the system resolver gives them. */
    ANY("any"),
    /** IPv4 only. */
    IPV4("IPv4"),
    /** IPv6 only. */
    IPV6("IPv6");

    private final String label;

    AddressFamily(String label) {
        this.label = label;
    }

    /**
     * Whether {@code address} belongs to this family. Note that Java turns an
     * IPv4-mapped IPv6 literal ({@code ::ffff:127.0.0.1}) into an IPv4 address.
     *
     * @param address an address, not null
     * @return true if it is kept
     * @throws NullPointerException if {@code address} is null
     */
    public boolean accepts(InetAddress address) {
        Objects.requireNonNull(address, "address");
        switch (this) {
            case IPV4:
                return address instanceof Inet4Address;
            case IPV6:
                return address instanceof Inet6Address;
            default:
                return true;
        }
    }

    /**
     * The family's name for messages: {@code any}, {@code IPv4} or {@code IPv6}.
     *
     * @return the name; never null
     */
    public String label() {
        return label;
    }

    /**
     * Reads a family as the shell gives it: {@code any}, {@code ipv4} or
     * {@code ipv6}, in any case.
     *
     * @param operation the operation, named in messages; not null
     * @param text the family
     * @return the family; never null
     * @throws NullPointerException if {@code operation} is null
     * @throws IllegalArgumentException if {@code text} is null or not one of
     *         the three, naming the operation and the value
     */
    public static AddressFamily parse(String operation, String text) {
        Objects.requireNonNull(operation, "operation");
        if (text != null) {
            for (AddressFamily family : values()) {
                if (family.name().equalsIgnoreCase(text)) {
                    return family;
                }
            }
        }
        throw new IllegalArgumentException(operation + ": address family "
                + (text == null ? "not specified (null)" : "'" + text + "' is not one of any, ipv4, ipv6"));
    }

    /**
     * Whether {@code text} names a family, so that an optional argument can
     * be told apart from a port.
     *
     * @param text any text, or null
     * @return true for {@code any}, {@code ipv4}, {@code ipv6} in any case
     */
    public static boolean isFamily(String text) {
        return text != null && (text.toLowerCase(Locale.ROOT).equals("any")
                || text.toLowerCase(Locale.ROOT).equals("ipv4") || text.toLowerCase(Locale.ROOT).equals("ipv6"));
    }
}
