package task.plugins.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The address parser and formatter: accepted forms, and a table of bad input. */
class SocketAddressesTest {
    static final String LABEL_300 = "a".repeat(300);
    /** 4 labels of 63 plus 3 dots = 255 characters: every label legal, the name too long. */
    static final String NAME_255 = String.join(".", "b".repeat(63), "c".repeat(63), "d".repeat(63), "e".repeat(63));

    @Test
    void hostAndPortComeBackUnresolved() {
        InetSocketAddress parsed = (InetSocketAddress) SocketAddresses.parse("listen", "localhost:8080", true);
        assertTrue(parsed.isUnresolved(), "parsing must not look the name up");
        assertEquals("localhost", parsed.getHostString());
        assertEquals(8080, parsed.getPort());
    }

    @Test
    void numericAddressesComeBackUnresolvedToo() {
        InetSocketAddress v4 = (InetSocketAddress) SocketAddresses.parse("listen", "127.0.0.1:0", true);
        InetSocketAddress v6 = (InetSocketAddress) SocketAddresses.parse("listen", "[::1]:65535", true);
        assertTrue(v4.isUnresolved());
        assertEquals("127.0.0.1", v4.getHostString());
        assertEquals(0, v4.getPort());
        assertTrue(v6.isUnresolved());
        assertEquals("::1", v6.getHostString());
        assertEquals(65535, v6.getPort());
    }

    @Test
    void portIsZeroWhenOptionalAndAbsent() {
        assertEquals(InetSocketAddress.createUnresolved("localhost", 0), SocketAddresses.parse("op", "localhost", false));
        assertEquals(InetSocketAddress.createUnresolved("::1", 0), SocketAddresses.parse("op", "[::1]", false));
        assertEquals(InetSocketAddress.createUnresolved("fe80::1%lo", 0), SocketAddresses.parse("op", "fe80::1%lo", false));
    }

    @Test
    void longestLegalLabelAndNameAreAccepted() {
        String label63 = "x".repeat(63);
        String name253 = String.join(".", "b".repeat(63), "c".repeat(63), "d".repeat(63), "e".repeat(61));
        assertEquals(253, name253.length());
        assertEquals(label63, ((InetSocketAddress) SocketAddresses.parse("op", label63 + ":1", true)).getHostString());
        assertEquals(name253 + ".", ((InetSocketAddress) SocketAddresses.parse("op", name253 + ".:1", true)).getHostString());
    }

    @Test
    void unixPathBecomesUnixDomainAddress() {
        SocketAddress parsed = SocketAddresses.parse("listen", "unix:/tmp/task.sock", true);
        assertEquals(UnixDomainSocketAddress.of(Path.of("/tmp/task.sock")), parsed);
    }

    static Stream<Arguments> badAddresses() {
        return Stream.of(
                Arguments.of(null, false, "address not specified"),
                Arguments.of("", false, "address not specified"),
                Arguments.of("localhost:-1", true, "port -1 out of range 0..65535"),
                Arguments.of("localhost:65536", true, "port 65536 out of range 0..65535"),
                Arguments.of("localhost:99999999999", true, "out of range 0..65535"),
                Arguments.of("localhost:http", true, "is not a number"),
                Arguments.of("localhost:+80", true, "is not a number"),
                Arguments.of("localhost:", false, "port not specified"),
                Arguments.of("localhost", true, "port not specified"),
                Arguments.of("[::1]", true, "port not specified"),
                Arguments.of("a:1:2", false, "too many ':'"),
                Arguments.of(":80", true, "host not specified"),
                Arguments.of(LABEL_300 + ":80", true, "label longer than 63"),
                Arguments.of(NAME_255 + ":80", true, "longer than 253"),
                Arguments.of("a..b:80", true, "empty label"),
                Arguments.of("bad_name:80", true, "illegal character '_'"),
                Arguments.of("bad name:80", true, "illegal character ' '"),
                Arguments.of("-bad.example:80", true, "starts or ends with '-'"),
                Arguments.of("1.2.3:80", true, "not a valid IPv4 address"),
                Arguments.of("256.0.0.1:80", true, "not a valid IPv4 address"),
                Arguments.of("010.0.0.1:80", true, "not a valid IPv4 address"),
                Arguments.of("127.1:80", true, "not a valid IPv4 address"),
                Arguments.of("2130706433:80", true, "not a valid IPv4 address"),
                Arguments.of("0x7f.0.0.1:80", true, "not a valid IPv4 address"),
                Arguments.of("1.2.3.4%x:80", true, "illegal character '%'"),
                Arguments.of("127.0.0.1 :80", true, "illegal character ' '"),
                Arguments.of("127.0.0\u0000.1:80", true, "illegal character U+0000"),
                Arguments.of("\u0661\u0662\u0667.0.0.1:80", true, "illegal character U+0661"),
                Arguments.of("\uff11\uff12\uff17.0.0.1:80", true, "illegal character U+FF11"),
                Arguments.of("127\u30020\u30020\u30021:80", true, "illegal character U+3002"),
                Arguments.of("127.0.0.1..:80", true, "empty label"),
                Arguments.of("127.1.:80", true, "not a valid IPv4 address"),
                Arguments.of("2130706433.:80", true, "not a valid IPv4 address"),
                Arguments.of("0177.0.0.1.:80", true, "not a valid IPv4 address"),
                Arguments.of("[1.2.3.4]:80", true, "not an IPv6 address"),
                Arguments.of("[::1].:80", true, "expected ':port'"),
                Arguments.of("[::1", true, "missing ']'"),
                Arguments.of("[::1]80", true, "expected ':port'"),
                Arguments.of("[not:v6]:80", true, "not an IPv6 address"),
                Arguments.of("[1:2:3:4:5:6:7:8:9]:80", true, "not an IPv6 address"),
                Arguments.of("unix:", false, "UNIX socket path not specified"),
                Arguments.of("unix:/tmp/a\u0000b", false, "bad UNIX socket path"));
    }

    /**
     * Regression (issue 9): hosts that a resolver reads as numbers (glibc's
     * inet_aton reads 0x7f000001 and 1.2.3.0x4, the JDK 0X7F and 0x too)
     * or that a DNS server answers for (127.0.0.1.) were taken for names and
     * looked up. They must be refused by every entry point.
     */
    static Stream<String> numericLookingHosts() {
        return Stream.of("127.0.0.1.", "10.1.2.3.", "0x7f000001", "0X7F000001", "1.2.3.0x4", "0x7f.", "0x");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("numericLookingHosts")
    void numericLookingHostIsRefusedByEveryParser(String host) {
        for (String text : new String[] {host + ":80", host}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SocketAddresses.parse("listen", text, false), text);
            assertTrue(e.getMessage().startsWith("listen: not a valid IPv4 address"), e.getMessage());
            assertTrue(e.getMessage().endsWith(" '" + text + "'"), e.getMessage());
        }
        IllegalArgumentException alone = assertThrows(IllegalArgumentException.class,
                () -> SocketAddresses.host("resolve", host));
        assertTrue(alone.getMessage().startsWith("resolve: not a valid IPv4 address"), alone.getMessage());
    }

    @Test
    void trailingDotNumericSaysWhatIsWrong() {
        assertEquals("connect: not a valid IPv4 address (a numeric address takes no final '.'): '127.0.0.1.:80'",
                assertThrows(IllegalArgumentException.class,
                        () -> SocketAddresses.parse("connect", "127.0.0.1.:80", true)).getMessage());
        assertEquals("connect: not a valid IPv4 address (four decimal numbers 0..255, without leading zeros):"
                + " '0x7f.1:80'", assertThrows(IllegalArgumentException.class,
                        () -> SocketAddresses.parse("connect", "0x7f.1:80", true)).getMessage());
    }

    /** A name may end in '.', as a fully qualified name does; names that merely start with digits are names. */
    @Test
    void namesWithAFinalDotOrDigitsStayNames() {
        for (String host : new String[] {"localhost.", "LOCALHOST.", "1e100.net.", "0x7f.example", "127.0.0.1.example"}) {
            InetSocketAddress parsed = (InetSocketAddress) SocketAddresses.parse("listen", host + ":80", true);
            assertTrue(parsed.isUnresolved());
            assertEquals(host, parsed.getHostString());
            assertEquals(host, SocketAddresses.host("resolve", host));
        }
        assertEquals("FE80::1%eth0", SocketAddresses.host("resolve", "[FE80::1%eth0]"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badAddresses")
    void badAddressIsRejectedNamingOperationAndValue(String text, boolean portRequired, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SocketAddresses.parse("connect", text, portRequired));
        assertTrue(e.getMessage().startsWith("connect: "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        String shown = text == null ? "null" : text.substring(0, Math.min(text.length(), 80)).replace("\u0000", "");
        assertTrue(e.getMessage().replace("\u0000", "").contains(shown), e.getMessage());
    }

    @Test
    void nullOperationIsANullPointerNamingIt() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> SocketAddresses.parse(null, "a:1", true));
        assertEquals("operation", e.getMessage());
    }

    @Test
    void hostAloneAcceptsBracketsAndBareIpv6() {
        assertEquals("::1", SocketAddresses.host("resolve", "[::1]"));
        assertEquals("::1", SocketAddresses.host("resolve", "::1"));
        assertEquals("127.0.0.1", SocketAddresses.host("resolve", "127.0.0.1"));
        assertEquals("localhost", SocketAddresses.host("resolve", "localhost"));
        assertEquals("resolve: host not specified ('')",
                assertThrows(IllegalArgumentException.class, () -> SocketAddresses.host("resolve", "")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.host("resolve", "a:1:2"));
        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.host("resolve", null));
    }

    @Test
    void portAloneMessagesMatchTheExample() {
        assertEquals(80, SocketAddresses.port("resolve", "80"));
        assertEquals("resolve: port 65536 out of range 0..65535",
                assertThrows(IllegalArgumentException.class, () -> SocketAddresses.port("resolve", "65536")).getMessage());
        assertEquals("resolve: port -1 out of range 0..65535",
                assertThrows(IllegalArgumentException.class, () -> SocketAddresses.port("resolve", "-1")).getMessage());
    }

    @Test
    void formatWritesWhatParseReads() throws UnknownHostException {
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 80);
        assertEquals("127.0.0.1:80", SocketAddresses.format(v4));
        assertEquals("[::1]:80", SocketAddresses.format(v6));
        assertEquals("::1", SocketAddresses.format(v6.getAddress()));
        assertEquals("localhost:22", SocketAddresses.format(InetSocketAddress.createUnresolved("localhost", 22)));
        assertEquals("unix:/tmp/x", SocketAddresses.format(UnixDomainSocketAddress.of("/tmp/x")));
        for (String text : new String[] {"127.0.0.1:80", "[::1]:80", "localhost:22", "unix:/tmp/x"}) {
            assertEquals(text, SocketAddresses.format(SocketAddresses.parse("op", text, true)));
        }
    }
}
