package task.plugins.resolver;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.InvalidPathException;
import java.util.Objects;

import task.plugins.resolver.internal.Literals;

/**
 * Parses the socket addresses that operations take as text, such as
 * {@code listen HOST:PORT}, checking them fully without a lookup, so that a
 * bad address fails before anything is started or opened; and formats
 * addresses back into that text.
 * Threading: stateless, any thread.
 */
public final class SocketAddresses {
    /** The prefix of a UNIX-domain socket address. */
    public static final String UNIX_PREFIX = "unix:";

    /** The longest host name (RFC 1035), not counting a final dot. */
    static final int MAX_NAME = 253;
    /** The longest label of a host name (RFC 1035). */
    static final int MAX_LABEL = 63;
    /** Values longer than this are shortened in messages. */
    private static final int MAX_QUOTED = 80;

    private SocketAddresses() {
    }

    /**
     * Parses {@code text} into a socket address. Accepted forms:
     * <ul>
     * <li>{@code host:port}, where host is a DNS name (letters, digits and
     * '-', labels of at most 63 characters, at most 253 in all, optionally
     * ending in '.') or a dotted-quad IPv4 address (four decimal numbers
     * 0..255 without leading zeros, and no final '.');</li>
     * <li>{@code [ipv6]:port}, an IPv6 literal in brackets (a {@code %scope}
     * is allowed);</li>
     * <li>{@code host}, {@code [ipv6]} or a bare IPv6 literal without a port,
     * only when {@code portRequired} is false: the port is then 0;</li>
     * <li>{@code unix:PATH}, a UNIX-domain socket address (the path need not
     * exist: a listener creates it).</li>
     * </ul>
     * Internet addresses come back UNRESOLVED
     * ({@link InetSocketAddress#createUnresolved(String, int)}), names and
     * numeric addresses alike, so that parsing never blocks; pass them to
     * {@link NameResolver} to get numeric addresses.
     * <p>
     * Numeric or name is decided on the text alone, and a numeric host is
     * never looked up: a host that any resolver could read as a number (one
     * with a ':', or whose last label, ignoring a final '.', is a decimal or
     * {@code 0x} hex number) must be a dotted quad or an IPv6 address, which
     * {@link NameResolver} converts from the digits; other such hosts
     * ({@code 127.1}, {@code 2130706433}, {@code 0x7f.0.0.1},
     * {@code 010.0.0.1}, {@code 127.0.0.1.}) are refused rather than left
     * to a resolver to read one way or another. Every other host is a name,
     * and may end in '.' as a fully qualified one does ({@code localhost.}).
     *
     * @param operation the operation the text belongs to, named in messages;
     *        not null
     * @param text the address; null or empty is reported as an
     *        {@link IllegalArgumentException}, like any other bad value, since
     *        it usually comes from a user
     * @param portRequired whether {@code host} alone is refused
     * @return an unresolved {@link InetSocketAddress} or a
     *         {@link UnixDomainSocketAddress}; never null
     * @throws NullPointerException if {@code operation} is null
     * @throws IllegalArgumentException if {@code text} is null, empty or
     *         malformed (empty host, port not a number, port outside
     *         0..65535, a missing required port, {@code host:port:extra}, a
     *         label longer than 63 or a name longer than 253 characters, an
     *         illegal character, a host that looks numeric but is neither a
     *         dotted quad nor an IPv6 address, an empty UNIX path); the
     *         message starts with "{@code operation}: " and quotes the value
     */
    public static SocketAddress parse(String operation, String text, boolean portRequired) {
        Objects.requireNonNull(operation, "operation");
        if (text == null) {
            throw new IllegalArgumentException(operation + ": address not specified (null)");
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException(operation + ": address not specified ('')");
        }
        if (text.startsWith(UNIX_PREFIX)) {
            return unix(operation, text);
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw bad(operation, "missing ']' in", text);
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (rest.isEmpty()) {
                port = null;
            } else if (rest.startsWith(":")) {
                port = rest.substring(1);
            } else {
                throw bad(operation, "expected ':port' after ']' in", text);
            }
            if (!Literals.isIpv6(host)) {
                throw bad(operation, "not an IPv6 address in brackets:", text);
            }
        } else {
            int colon = text.indexOf(':');
            if (colon < 0) {
                host = text;
                port = null;
                checkHost(operation, host, text);
            } else if (text.indexOf(':', colon + 1) < 0) {
                host = text.substring(0, colon);
                port = text.substring(colon + 1);
                checkHost(operation, host, text);
            } else if (Literals.isIpv6(text)) {
                // A bare IPv6 literal: its colons are not a port separator.
                host = text;
                port = null;
            } else {
                throw bad(operation, "too many ':' (write an IPv6 address as [address]:port) in", text);
            }
        }
        if (port == null) {
            if (portRequired) {
                boolean bareIpv6 = !text.startsWith("[") && text.indexOf(':') >= 0;
                throw bad(operation, bareIpv6 ? "port not specified (write an IPv6 address as [address]:port) in"
                        : "port not specified in", text);
            }
            return InetSocketAddress.createUnresolved(host, 0);
        }
        return InetSocketAddress.createUnresolved(host, port(operation, port, text));
    }

    private static SocketAddress unix(String operation, String text) {
        String path = text.substring(UNIX_PREFIX.length());
        if (path.isEmpty()) {
            throw bad(operation, "UNIX socket path not specified in", text);
        }
        try {
            return UnixDomainSocketAddress.of(path);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(operation + ": bad UNIX socket path " + quote(text) + ": "
                    + e.getReason(), e);
        }
    }

    /**
     * Checks a host given on its own, as in {@code resolve HOST PORT}: a DNS
     * name or IPv4 address as {@link #parse} accepts them (and refuses other
     * numeric-looking hosts as it does), or an IPv6 address with or without
     * brackets. No lookup is made.
     *
     * @param operation the operation, named in messages; not null
     * @param text the host; null or empty is an {@link IllegalArgumentException}
     * @return the host, without brackets; never null
     * @throws NullPointerException if {@code operation} is null
     * @throws IllegalArgumentException if the host is null or empty ("host
     *         not specified") or malformed; the message starts with
     *         "{@code operation}: " and quotes the value
     */
    public static String host(String operation, String text) {
        Objects.requireNonNull(operation, "operation");
        if (text == null) {
            throw new IllegalArgumentException(operation + ": host not specified (null)");
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException(operation + ": host not specified ('')");
        }
        if (text.startsWith("[") && text.endsWith("]") && text.length() > 2) {
            String inner = text.substring(1, text.length() - 1);
            if (!Literals.isIpv6(inner)) {
                throw bad(operation, "not an IPv6 address in brackets:", text);
            }
            return inner;
        }
        if (text.indexOf(':') >= 0) {
            if (Literals.isIpv6(text)) {
                return text;
            }
            throw bad(operation, "host is neither a name nor an IP address:", text);
        }
        checkHost(operation, text, text);
        return text;
    }

    /**
     * Parses a port given on its own: decimal digits, 0..65535.
     *
     * @param operation the operation, named in messages; not null
     * @param text the port; null or empty is an {@link IllegalArgumentException}
     * @return the port
     * @throws NullPointerException if {@code operation} is null
     * @throws IllegalArgumentException if the port is missing, not a number
     *         or out of range, e.g. "{@code resolve: port 65536 out of range 0..65535}"
     */
    public static int port(String operation, String text) {
        return port(operation, text, text);
    }

    /**
     * Checks a host name or IPv4 address (no colons) found in {@code whole},
     * refusing any other host that {@link Literals#looksNumeric looks numeric}.
     */
    private static void checkHost(String operation, String host, String whole) {
        if (host.isEmpty()) {
            throw bad(operation, "host not specified in", whole);
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        int start = 0;
        while (start <= name.length()) {
            int dot = name.indexOf('.', start);
            int end = dot < 0 ? name.length() : dot;
            checkLabel(operation, name.substring(start, end), whole);
            if (dot < 0) {
                break;
            }
            start = dot + 1;
        }
        // Labels first: their message is the more precise one.
        if (name.length() > MAX_NAME) {
            throw bad(operation, "host name longer than " + MAX_NAME + " characters (" + name.length() + "):",
                    whole);
        }
        // What a resolver could read as a number must be the one spelling we
        // convert ourselves, or a resolver, even a DNS server, would decide
        // where "127.1", "0x7f.0.0.1" or "127.0.0.1." goes (see Literals).
        if (Literals.looksNumeric(host) && !Literals.isIpv4(host)) {
            throw bad(operation, Literals.isIpv4(name)
                    ? "not a valid IPv4 address (a numeric address takes no final '.'):"
                    : "not a valid IPv4 address (four decimal numbers 0..255, without leading zeros):", whole);
        }
    }

    private static void checkLabel(String operation, String label, String whole) {
        if (label.isEmpty()) {
            throw bad(operation, "empty label in host name", whole);
        }
        if (label.length() > MAX_LABEL) {
            throw bad(operation, "host name label longer than " + MAX_LABEL + " characters (" + label.length()
                    + "):", whole);
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) {
                throw bad(operation, "illegal character " + describe(c) + " in host name", whole);
            }
        }
        if (label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
            throw bad(operation, "host name label starts or ends with '-' in", whole);
        }
    }

    /** Parses a port found in {@code whole}, which messages quote. */
    private static int port(String operation, String port, String whole) {
        Objects.requireNonNull(operation, "operation");
        if (port == null) {
            throw new IllegalArgumentException(operation + ": port not specified (null)");
        }
        if (port.isEmpty()) {
            throw bad(operation, "port not specified in", whole);
        }
        boolean negative = port.startsWith("-");
        String digits = negative ? port.substring(1) : port;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(operation + ": port " + quote(port) + " is not a number"
                    + in(port, whole));
        }
        // Digits only: out of range if negative, too long, or above 65535.
        if (negative || digits.length() > 5 || Integer.parseInt(digits) > 65535) {
            throw new IllegalArgumentException(operation + ": port " + shorten(port) + " out of range 0..65535"
                    + in(port, whole));
        }
        return Integer.parseInt(digits);
    }

    /**
     * Formats a socket address the way {@link #parse} reads it back:
     * {@code 127.0.0.1:80}, {@code [::1]:80} (IPv6 compressed as in RFC 5952),
     * {@code localhost:80} for an unresolved name, {@code unix:/path} for a
     * UNIX-domain address; any other kind as its {@code toString()}.
     *
     * @param address not null
     * @return the text; never null
     * @throws NullPointerException if {@code address} is null
     */
    public static String format(SocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof UnixDomainSocketAddress) {
            return UNIX_PREFIX + ((UnixDomainSocketAddress) address).getPath();
        }
        if (!(address instanceof InetSocketAddress)) {
            return address.toString();
        }
        InetSocketAddress inet = (InetSocketAddress) address;
        String host = inet.isUnresolved() ? inet.getHostString() : Literals.format(inet.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
    }

    /**
     * Formats an IP address as numeric text, IPv6 compressed as in RFC 5952
     * ({@code ::1}, where {@link InetAddress#getHostAddress()} gives
     * {@code 0:0:0:0:0:0:0:1}).
     *
     * @param address not null
     * @return the text, without brackets; never null
     * @throws NullPointerException if {@code address} is null
     */
    public static String format(InetAddress address) {
        return Literals.format(Objects.requireNonNull(address, "address"));
    }

    private static String in(String part, String whole) {
        return whole == null || whole.equals(part) ? "" : " in " + quote(whole);
    }

    private static IllegalArgumentException bad(String operation, String problem, String value) {
        return new IllegalArgumentException(operation + ": " + problem + " " + quote(value));
    }

    /** The value in quotes, shortened if long so that a message stays readable. */
    static String quote(String value) {
        return "'" + shorten(value) + "'";
    }

    private static String shorten(String value) {
        if (value.length() <= MAX_QUOTED) {
            return value;
        }
        return value.substring(0, MAX_QUOTED) + "...(" + value.length() + " characters)";
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
