package task.plugins.resolver.internal;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Numeric IP addresses as text. The checks work on the text alone: unlike
 * {@link InetAddress#getByName(String)} they never start a lookup, so a
 * caller can decide "numeric, no thread needed" without blocking.
 * Threading: stateless, any thread.
 */
public final class Literals {
    private Literals() {
    }

    /**
     * Whether {@code text} is a dotted-quad IPv4 address: four decimal parts
     * 0..255, without leading zeros (which some resolvers read as octal, so
     * {@code 010.0.0.1} is ambiguous and refused rather than guessed).
     *
     * @param text any text, not null
     * @return true if it is such an address
     */
    public static boolean isIpv4(String text) {
        int parts = 0;
        int start = 0;
        while (true) {
            int dot = text.indexOf('.', start);
            int end = dot < 0 ? text.length() : dot;
            if (!isByte(text, start, end)) {
                return false;
            }
            parts++;
            if (dot < 0) {
                return parts == 4;
            }
            if (parts == 4) {
                return false;
            }
            start = dot + 1;
        }
    }

    private static boolean isByte(String text, int start, int end) {
        int length = end - start;
        if (length < 1 || length > 3 || (length > 1 && text.charAt(start) == '0')) {
            return false;
        }
        int value = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        return value <= 255;
    }

    /**
     * Whether {@code text} is an IPv6 address without brackets: eight groups
     * of one to four hex digits, at most one {@code ::} standing for one or
     * more zero groups, optionally ending in a dotted quad (two groups), and
     * optionally followed by a {@code %scope} of letters, digits, '_', '.', '-'.
     *
     * @param text any text, not null
     * @return true if it is such an address
     */
    public static boolean isIpv6(String text) {
        String address = text;
        int percent = text.indexOf('%');
        if (percent >= 0) {
            if (!isScope(text.substring(percent + 1))) {
                return false;
            }
            address = text.substring(0, percent);
        }
        int gap = address.indexOf("::");
        if (gap >= 0) {
            if (address.indexOf("::", gap + 1) >= 0) {
                return false;
            }
            int before = countGroups(address.substring(0, gap), false);
            int after = countGroups(address.substring(gap + 2), true);
            // "::" stands for at least one zero group.
            return before >= 0 && after >= 0 && before + after <= 7;
        }
        return countGroups(address, true) == 8;
    }

    /**
     * Counts the 16-bit groups in a colon-separated run (empty run: 0),
     * a trailing dotted quad counting two when {@code quadAllowed}; -1 if
     * the run is malformed.
     */
    private static int countGroups(String run, boolean quadAllowed) {
        if (run.isEmpty()) {
            return 0;
        }
        String[] groups = run.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String group = groups[i];
            if (quadAllowed && i == groups.length - 1 && group.indexOf('.') >= 0) {
                if (!isIpv4(group)) {
                    return -1;
                }
                count += 2;
            } else if (isHexGroup(group)) {
                count++;
            } else {
                return -1;
            }
        }
        return count;
    }

    private static boolean isHexGroup(String group) {
        if (group.isEmpty() || group.length() > 4) {
            return false;
        }
        for (int i = 0; i < group.length(); i++) {
            char c = group.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex) {
                return false;
            }
        }
        return true;
    }

    private static boolean isScope(String scope) {
        if (scope.isEmpty() || scope.length() > 64) {
            return false;
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
