package task.plugins.resolver.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/**
 * Numeric IP addresses as text: which host texts are numeric, which only
 * look numeric, and the address a numeric one stands for. Everything here
 * works on the text alone: unlike {@link InetAddress#getByName(String)} it
 * never starts a lookup, so a caller can decide "numeric, no thread needed"
 * without blocking, and a numeric host never reaches a DNS server.
 * <p>
 * The rule, shared by the parser and the resolver so that they cannot
 * disagree: a host that {@linkplain #looksNumeric looks numeric} to some
 * resolver is used only if it is {@linkplain #isNumeric numeric} in the one
 * unambiguous spelling (a dotted quad, or an IPv6 address), and is then
 * {@linkplain #address converted from its digits}; any other host that looks
 * numeric ({@code 127.1}, {@code 0x7f.0.0.1}, {@code 2130706433},
 * {@code 010.0.0.1}, {@code 127.0.0.1.}) is refused; a host that does not
 * look numeric is a name, and only a name is ever looked up.
 * <p>
 * Only ASCII digits count here, as in a resolver's C code; the parser
 * refuses any other character in a host, Unicode digits (Arabic-Indic,
 * full-width) included, before this class is asked.
 * Threading: stateless, any thread.
 */
public final class Literals {
    /** The most characters of an IPv6 scope (an interface name or number). */
    private static final int MAX_SCOPE = 64;

    private Literals() {
    }

    /**
     * Whether {@code text} is a dotted-quad IPv4 address: four decimal parts
     * 0..255, without leading zeros (which some resolvers read as octal, so
     * {@code 010.0.0.1} is ambiguous and refused rather than guessed) and
     * without a final '.'.
     *
     * @param text any text, not null
     * @return true if it is such an address
     * @throws NullPointerException if {@code text} is null
     */
    public static boolean isIpv4(String text) {
        return ipv4Bytes(text) != null;
    }

    /** The four bytes of a dotted quad as {@link #isIpv4} reads it, or null if it is not one. */
    private static byte[] ipv4Bytes(String text) {
        byte[] bytes = new byte[4];
        int parts = 0;
        int start = 0;
        while (true) {
            int dot = text.indexOf('.', start);
            int end = dot < 0 ? text.length() : dot;
            int value = byteValue(text, start, end);
            if (value < 0) {
                return null;
            }
            bytes[parts++] = (byte) value;
            if (dot < 0) {
                return parts == 4 ? bytes : null;
            }
            if (parts == 4) {
                return null;
            }
            start = dot + 1;
        }
    }

    /** The value of a decimal part 0..255 without leading zeros, or -1. */
    private static int byteValue(String text, int start, int end) {
        int length = end - start;
        if (length < 1 || length > 3 || (length > 1 && text.charAt(start) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= 255 ? value : -1;
    }

    /**
     * Whether {@code text} is an IPv6 address without brackets: eight groups
     * of one to four hex digits (either case), at most one {@code ::}
     * standing for one or more zero groups, optionally ending in a dotted
     * quad (two groups), and optionally followed by a {@code %scope}: an
     * interface name of letters, digits, '_', '.', '-', or a scope number
     * (decimal, at most {@link Integer#MAX_VALUE}). An IPv4-mapped address
     * ({@code ::ffff:a.b.c.d}) takes no scope: it is an IPv4 address.
     *
     * @param text any text, not null
     * @return true if it is such an address
     * @throws NullPointerException if {@code text} is null
     */
    public static boolean isIpv6(String text) {
        int percent = text.indexOf('%');
        if (percent < 0) {
            return ipv6Bytes(text) != null;
        }
        byte[] bytes = ipv6Bytes(text.substring(0, percent));
        return bytes != null && !isIpv4Mapped(bytes) && isScope(text.substring(percent + 1));
    }

    /**
     * Whether {@code text} is a numeric host, {@link #isIpv4} or
     * {@link #isIpv6}; {@link #address} converts it.
     *
     * @param text a host without brackets, not null
     * @return true if it is numeric
     * @throws NullPointerException if {@code text} is null
     */
    public static boolean isNumeric(String text) {
        return isIpv4(text) || isIpv6(text);
    }

    /**
     * Whether some resolver could read {@code host} as a numeric address
     * rather than as a name: it has a ':' (only IPv6 addresses do), or its
     * last dot-separated label, ignoring one final '.', is a number as C's
     * {@code inet_aton} reads one (decimal digits, or {@code 0x} / {@code 0X}
     * followed by hex digits, or by none). So every form that
     * {@code inet_aton} or the JDK accept ({@code 127.1}, {@code 0x7f.1},
     * {@code 2130706433}, {@code 0177.0.0.1}, {@code 0x}), and each of them
     * with a final '.', looks numeric; a DNS name never does, since its
     * top-level label is never numeric (RFC 1123 section 2.1, RFC 3696
     * section 2). {@code localhost.} and {@code 1e100.net} are names.
     *
     * @param host a host without brackets, not null
     * @return true if it looks numeric, whether or not it {@link #isNumeric is}
     * @throws NullPointerException if {@code host} is null
     */
    public static boolean looksNumeric(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        int end = host.endsWith(".") ? host.length() - 1 : host.length();
        String label = host.substring(host.lastIndexOf('.', end - 1) + 1, end);
        if (label.length() >= 2 && label.charAt(0) == '0' && (label.charAt(1) == 'x' || label.charAt(1) == 'X')) {
            for (int i = 2; i < label.length(); i++) {
                if (hexDigit(label.charAt(i)) < 0) {
                    return false;
                }
            }
            return true;
        }
        return isDecimal(label);
    }

    /**
     * The address a numeric host stands for, built from the bytes its text
     * spells, never by a lookup (a scope that names an interface consults
     * only this machine's interfaces). An IPv4-mapped IPv6 address becomes an
     * {@link java.net.Inet4Address}, as {@link InetAddress#getByAddress(byte[])}
     * makes it; the address has no host name.
     *
     * @param host a host that {@link #isNumeric} accepts, without brackets
     * @return the address, with its scope when the host has one; never null
     * @throws NullPointerException if {@code host} is null
     * @throws IllegalArgumentException if {@code host} is not numeric
     * @throws UnknownHostException if the scope names no interface of this
     *         machine, or an interface without an IPv6 address of that kind
     */
    public static InetAddress address(String host) throws UnknownHostException {
        byte[] ipv4 = ipv4Bytes(host);
        if (ipv4 != null) {
            return InetAddress.getByAddress(ipv4);
        }
        if (!isIpv6(host)) {
            throw new IllegalArgumentException("not a numeric address: '" + host + "'");
        }
        int percent = host.indexOf('%');
        if (percent < 0) {
            return InetAddress.getByAddress(ipv6Bytes(host));
        }
        byte[] bytes = ipv6Bytes(host.substring(0, percent));
        String scope = host.substring(percent + 1);
        if (isDecimal(scope)) {
            return Inet6Address.getByAddress(null, bytes, Integer.parseInt(scope));
        }
        NetworkInterface nif;
        try {
            nif = NetworkInterface.getByName(scope);
        } catch (SocketException e) {
            UnknownHostException failed = new UnknownHostException("cannot read interface " + scope + ": "
                    + e.getMessage());
            failed.initCause(e);
            throw failed;
        }
        if (nif == null) {
            // The JDK's own words for the case, as InetAddress.getByName gave them before.
            throw new UnknownHostException("no such interface " + scope);
        }
        return Inet6Address.getByAddress(null, bytes, nif);
    }

    /** The 16 bytes of an IPv6 address without scope as {@link #isIpv6} reads it, or null. */
    private static byte[] ipv6Bytes(String address) {
        int[] groups = new int[8];
        int gap = address.indexOf("::");
        if (gap < 0) {
            if (readGroups(address, true, groups) != 8) {
                return null;
            }
        } else {
            if (address.indexOf("::", gap + 1) >= 0) {
                return null;
            }
            int before = readGroups(address.substring(0, gap), false, groups);
            int[] tail = new int[8];
            int after = readGroups(address.substring(gap + 2), true, tail);
            // "::" stands for at least one zero group.
            if (before < 0 || after < 0 || before + after > 7) {
                return null;
            }
            System.arraycopy(tail, 0, groups, 8 - after, after);
        }
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            bytes[2 * i] = (byte) (groups[i] >>> 8);
            bytes[2 * i + 1] = (byte) groups[i];
        }
        return bytes;
    }

    /**
     * Reads the 16-bit groups of a colon-separated run (empty run: none) into
     * {@code into} from its start, a trailing dotted quad giving two when
     * {@code quadAllowed}; returns how many, or -1 if the run is malformed
     * or has more than eight.
     */
    private static int readGroups(String run, boolean quadAllowed, int[] into) {
        if (run.isEmpty()) {
            return 0;
        }
        String[] parts = run.split(":", -1);
        int count = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (quadAllowed && i == parts.length - 1 && part.indexOf('.') >= 0) {
                byte[] quad = ipv4Bytes(part);
                if (quad == null || count + 2 > 8) {
                    return -1;
                }
                into[count++] = ((quad[0] & 0xff) << 8) | (quad[1] & 0xff);
                into[count++] = ((quad[2] & 0xff) << 8) | (quad[3] & 0xff);
            } else {
                int value = hexGroup(part);
                if (value < 0 || count + 1 > 8) {
                    return -1;
                }
                into[count++] = value;
            }
        }
        return count;
    }

    /** The value of one to four ASCII hex digits, or -1. */
    private static int hexGroup(String group) {
        if (group.isEmpty() || group.length() > 4) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < group.length(); i++) {
            int digit = hexDigit(group.charAt(i));
            if (digit < 0) {
                return -1;
            }
            value = (value << 4) | digit;
        }
        return value;
    }

    /** The value of an ASCII hex digit, either case, or -1 (Character.digit would take Unicode digits). */
    private static int hexDigit(char c) {
        return c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /** Whether the 16 bytes are an IPv4-mapped address, {@code ::ffff:a.b.c.d}. */
    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }

    private static boolean isScope(String scope) {
        if (scope.isEmpty() || scope.length() > MAX_SCOPE) {
            return false;
        }
        if (isDecimal(scope)) {
            // A scope number must fit the int that Inet6Address keeps.
            return scope.length() <= 10 && Long.parseLong(scope) <= Integer.MAX_VALUE;
        }
        for (int i = 0; i < scope.length(); i++) {
            char c = scope.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code text} is one or more ASCII decimal digits. */
    private static boolean isDecimal(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * The address as numeric text, IPv6 in the RFC 5952 form the system tools
     * print ({@code ::1} rather than Java's {@code 0:0:0:0:0:0:0:1}).
     *
     * @param address not null
     * @return the text, with an IPv6 scope as {@code %scope} when there is one
     */
    public static String format(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        // The longest run of two or more zero groups (the first if tied) becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        String host = address.getHostAddress();
        int percent = host.indexOf('%');
        return percent < 0 ? text.toString() : text + host.substring(percent);
    }
}
