package task.plugins.resolver;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A deterministic stream of hostile host and address texts: numeric forms
 * (dotted quads, the short, hex and octal forms {@code inet_aton} reads,
 * IPv6 with and without scope), names, and mutations of them (final and
 * extra dots, leading zeros, hex and octal parts, brackets, zones, ports,
 * whitespace, NUL, Unicode digits and dots, long labels, case, a
 * {@code unix:} prefix). The same seed gives the same texts.
 * Not thread-safe: one per test thread.
 */
final class HostileHosts {
    private static final List<String> SEEDS = List.of("127.0.0.1", "0.0.0.0", "255.255.255.255", "10.0.0.1",
            "localhost", "LOCALHOST", "localhost.", "example.com", "a", "1e100.net", "xn--nxasmq6b.example",
            "::1", "::", "fe80::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "2001:db8::1", "1:2:3:4:5:6:7:8",
            "64:ff9b::192.0.2.33", "::1.2.3.4", "1::", "0x7f.0.0.1", "127.1", "2130706433", "017700000001",
            "0x7f000001", "0", "00", "0x", "09", "1.2.3.0x4", "0177.0.0.1", "4294967295", "4294967296");
    private static final List<String> ZONES = List.of("eth0", "lo", "1", "0", "01", "2147483647", "2147483648",
            "99999999999", "x", "", "a b", "%", "lo.", "\u0661", "ETH0", "en0-1_a.b", "z".repeat(65));
    private static final List<String> PORTS = List.of("0", "80", "65535", "65536", "-1", "", "http", "+80",
            "99999999999", "0x50", "\u0668\u0660", "80 ");
    private static final char[] SPACES = {' ', '\t', '\n', '\r', '\u000b', '\f', '\u00a0', '\u2003', '\u3000',
        '\u0085', '\u200b', '\ufeff'};
    /** Zero of each kind of non-ASCII digit that Character.isDigit accepts (and one it does not: superscripts). */
    private static final int[] UNICODE_ZEROS = {0x0660, 0x06F0, 0x0966, 0x09E6, 0xFF10, 0x1D7CE, 0x1D7D8, 0x2070};
    private static final char[] DOTS = {'\u3002', '\uFF0E', '\uFF61', '\u2024', ','};

    private final SplittableRandom random;

    HostileHosts(long seed) {
        random = new SplittableRandom(seed);
    }

    /** @return the next text; never null, possibly empty */
    String next() {
        String text = base();
        // Mostly few mutations, so that many texts stay close enough to an
        // address or a name to pass the parser; some pile up four.
        int roll = random.nextInt(10);
        int mutations = roll < 3 ? 0 : roll < 7 ? 1 : roll < 9 ? 2 : 3 + random.nextInt(2);
        for (int i = 0; i < mutations; i++) {
            text = mutate(text);
        }
        return text;
    }

    private String base() {
        switch (random.nextInt(6)) {
            case 0:
                return SEEDS.get(random.nextInt(SEEDS.size()));
            case 1:
                return random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + "."
                        + random.nextInt(256);
            case 2:
                return shortForm();
            case 3:
                return ipv6();
            case 4:
                return name();
            default:
                return random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + "."
                        + random.nextInt(256) + ".";
        }
    }

    /** One to five parts, each decimal, hex or octal, of any size: what inet_aton reads, and more. */
    private String shortForm() {
        int parts = 1 + random.nextInt(5);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            if (i > 0) {
                text.append('.');
            }
            long value = random.nextBoolean() ? random.nextInt(256) : random.nextLong(1L << 33);
            switch (random.nextInt(4)) {
                case 0:
                    text.append(random.nextBoolean() ? "0x" : "0X").append(caseOf(Long.toHexString(value)));
                    break;
                case 1:
                    text.append('0').append(Long.toOctalString(value));
                    break;
                default:
                    text.append(value);
            }
        }
        return text.toString();
    }

    /** Mostly well-formed (eight groups, or fewer around one "::"), sometimes a group too many. */
    private String ipv6() {
        boolean gap = random.nextInt(3) > 0;
        int groups = (gap ? 1 + random.nextInt(7) : 8) + (random.nextInt(10) == 0 ? 1 : 0);
        StringBuilder text = new StringBuilder();
        int gapAt = gap ? random.nextInt(groups + 1) : -1;
        for (int i = 0; i < groups; i++) {
            if (i == gapAt) {
                text.append("::");
            } else if (i > 0) {
                text.append(':');
            }
            if (i == groups - 1 && random.nextInt(4) == 0) {
                text.append(random.nextInt(256)).append('.').append(random.nextInt(256)).append('.')
                        .append(random.nextInt(256)).append('.').append(random.nextInt(256));
            } else {
                String group = Integer.toHexString(random.nextInt(1 << (4 * (1 + random.nextInt(4)))));
                text.append(caseOf(random.nextInt(6) == 0 ? "0" + group : group));
            }
        }
        if (gapAt == groups) {
            text.append("::");
        }
        if (random.nextInt(4) == 0) {
            text.append('%').append(ZONES.get(random.nextInt(ZONES.size())));
        }
        return text.toString();
    }

    private String name() {
        int labels = 1 + random.nextInt(4);
        StringBuilder text = new StringBuilder();
        String alphabet = "abcdefxyz0123456789-ABCX";
        for (int i = 0; i < labels; i++) {
            if (i > 0) {
                text.append('.');
            }
            int length = 1 + random.nextInt(8);
            for (int j = 0; j < length; j++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
        }
        return text.toString();
    }

    private String mutate(String text) {
        int at = text.isEmpty() ? 0 : random.nextInt(text.length() + 1);
        switch (random.nextInt(24)) {
            case 0:
                return text + ".";
            case 1:
                return "." + text;
            case 2:
                return insert(text, at, ".");
            case 3:
                return leadingZero(text);
            case 4:
                return insert(text, digitAt(text, at), random.nextBoolean() ? "0x" : "0X");
            case 5:
                return caseOf(text);
            case 6:
                return "[" + text + "]";
            case 7:
                return text + ":" + PORTS.get(random.nextInt(PORTS.size()));
            case 8:
                return text + "%" + ZONES.get(random.nextInt(ZONES.size()));
            case 9:
                return insert(text, at, String.valueOf(SPACES[random.nextInt(SPACES.length)]));
            case 10:
                return insert(text, at, "\u0000");
            case 11:
                return unicodeDigit(text);
            case 12:
                return text.replace('.', DOTS[random.nextInt(DOTS.length)]);
            case 13:
                return longLabel(text);
            case 14:
                return SocketAddresses.UNIX_PREFIX + text;
            case 15:
                return insert(text, at, String.valueOf("-_+~*".charAt(random.nextInt(5))));
            case 16:
                return text + List.of("x", "a", ".com", ".example", "e", "f", ".local").get(random.nextInt(7));
            case 17:
                return text.isEmpty() ? text : text.substring(0, Math.min(at, text.length() - 1))
                        + text.substring(Math.min(at, text.length() - 1) + 1);
            case 18:
                return text + "." + text;
            case 19:
                return (random.nextBoolean() ? "0" : "0x") + text;
            case 20:
                return insert(text, at, ":");
            case 21:
                return text + "." + random.nextInt(1 << random.nextInt(31));
            case 22:
                return insert(text, at, "::");
            default:
                return "[" + text + "]:" + PORTS.get(random.nextInt(PORTS.size()));
        }
    }

    private static String insert(String text, int at, String what) {
        return text.substring(0, at) + what + text.substring(at);
    }

    /** Where a run of ASCII digits starts at or after {@code from}, or the end. */
    private static int digitAt(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if (text.charAt(i) >= '0' && text.charAt(i) <= '9' && (i == 0 || text.charAt(i - 1) == '.')) {
                return i;
            }
        }
        return text.length();
    }

    private String leadingZero(String text) {
        int at = digitAt(text, random.nextInt(text.length() + 1));
        return insert(text, at, "0".repeat(1 + random.nextInt(3)));
    }

    /** One ASCII digit replaced by the same digit of another script. */
    private String unicodeDigit(String text) {
        for (int tries = 0; tries < text.length(); tries++) {
            int i = random.nextInt(text.length());
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                int zero = UNICODE_ZEROS[random.nextInt(UNICODE_ZEROS.length)];
                return text.substring(0, i) + new String(Character.toChars(zero + (c - '0'))) + text.substring(i + 1);
            }
        }
        return text + new String(Character.toChars(UNICODE_ZEROS[random.nextInt(UNICODE_ZEROS.length)] + 1));
    }

    /** A label grown to the limit, one past it, or far past it, of digits or letters. */
    private String longLabel(String text) {
        int length = List.of(62, 63, 64, 300).get(random.nextInt(4));
        String label = (random.nextBoolean() ? "1" : "a").repeat(length);
        int dot = text.lastIndexOf('.');
        return dot < 0 ? label : text.substring(0, dot + 1) + label;
    }

    private String caseOf(String text) {
        switch (random.nextInt(3)) {
            case 0:
                return text.toUpperCase(Locale.ROOT);
            case 1:
                return text.toLowerCase(Locale.ROOT);
            default:
                StringBuilder mixed = new StringBuilder(text.length());
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    mixed.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
                }
                return mixed.toString();
        }
    }
}
