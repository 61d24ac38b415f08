package task.plugins.resolver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The text-only literal checks agree with the JDK where the JDK is strict, and refuse the ambiguous. */
class LiteralsTest {

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "127.0.0.1", "255.255.255.255", "10.0.0.1"})
    void ipv4Accepted(String text) throws UnknownHostException {
        assertTrue(Literals.isIpv4(text));
        assertEquals(text, InetAddress.getByName(text).getHostAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "1.2.3.", "a.b.c.d",
        "1.2.3.4 ", "-1.2.3.4", "localhost"})
    void ipv4Refused(String text) {
        assertFalse(Literals.isIpv4(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "1::", "fe80::1", "2001:db8::8:800:200c:417a", "1:2:3:4:5:6:7:8",
        "::ffff:127.0.0.1", "64:ff9b::192.0.2.33", "FE80::1%eth0", "1:2:3:4:5:6:1.2.3.4"})
    void ipv6Accepted(String text) {
        assertTrue(Literals.isIpv6(text), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1",
        "::1%", "::1%a b", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "localhost", "a:1:2", "1.2.3.4", "::1:",
        "[::1]", "::1.", "::ffff:127.0.0.1.", "fe80::1%99999999999", "fe80::1%eth0%1", "::\u0661", "\uff11::1"})
    void ipv6Refused(String text) {
        assertFalse(Literals.isIpv6(text), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"::1", "::", "fe80::1", "2001:db8::1", "2001:db8:0:1:1:1:1:1", "1::", "2001:db8::1:0:0:1",
        "1:0:0:2:0:0:0:3"})
    void ipv6FormatIsRfc5952(String canonical) throws UnknownHostException {
        assertEquals(canonical.equals("1:0:0:2:0:0:0:3") ? "1:0:0:2::3" : canonical,
                Literals.format(InetAddress.getByName(canonical)));
    }

    @Test
    void ipv4FormatIsDottedQuad() throws UnknownHostException {
        assertEquals("127.0.0.1", Literals.format(InetAddress.getByName("127.0.0.1")));
    }

    /** Each spelling that some resolver reads as a number, and each of them with a final dot. */
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.1.", "127.1", "127.1.", "2130706433", "2130706433.",
        "0x7f.0.0.1", "0x7f.1", "0x7f000001", "0X7F000001.", "0x", "0X", "1.2.3.0x4", "1.2.3.0XaB", "017700000001",
        "0177.0.0.1", "09", "00", "a.0x10", "::1", "fe80::1%eth0", "a:b"})
    void looksNumeric(String host) {
        assertTrue(Literals.looksNumeric(host), host);
    }

    /** Names: no top-level label is a number; a final dot makes a name fully qualified, nothing more. */
    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost.", "LOCALHOST.", "example.com.", "1e100.net", "0x7g", "0xg",
        "x0x7f", "1.2.3.4e", "1.2.3.x4", "127.0.0.1.example", "0x7f.example.", "", ".",
        "\u0661\u0662\u0667.0.0.\u0661", "\uff11\uff12\uff17", "0x\uff11", "1\u00b2"})
    void doesNotLookNumeric(String host) {
        assertFalse(Literals.looksNumeric(host), host);
    }

    /** Regression (issue 9): a scope on an IPv4-mapped address, which the JDK refuses too, and a scope past an int. */
    @ParameterizedTest
    @ValueSource(strings = {"::ffff:127.0.0.1%1", "::ffff:7f00:1%eth0", "::FFFF:1.2.3.4%lo", "fe80::1%2147483648"})
    void scopeThatCannotBeKeptIsRefused(String text) {
        assertFalse(Literals.isIpv6(text), text);
    }

    /** Literals become the bytes their text spells, the same as the JDK's own literal parser gives. */
    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "127.0.0.1", "255.255.255.255", "::", "::1", "FE80::A:b", "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:1.2.3.4", "::1.2.3.4", "1::", "0001:0002::0003", "fe80::1%1", "fe80::1%2147483647"})
    void addressIsTheTextsOwnBytes(String text) throws UnknownHostException {
        InetAddress ours = Literals.address(text);
        InetAddress jdks = InetAddress.getByName(text);
        assertArrayEquals(jdks.getAddress(), ours.getAddress(), text);
        assertEquals(jdks.getClass(), ours.getClass(), text);
        if (ours instanceof Inet6Address) {
            assertEquals(((Inet6Address) jdks).getScopeId(), ((Inet6Address) ours).getScopeId(), text);
        }
    }

    @Test
    void ipv4MappedBecomesIpv4() throws UnknownHostException {
        InetAddress mapped = Literals.address("::ffff:127.0.0.1");
        assertInstanceOf(Inet4Address.class, mapped);
        assertArrayEquals(new byte[] {127, 0, 0, 1}, mapped.getAddress());
        assertArrayEquals(new byte[] {127, 0, 0, 1}, Literals.address("::FFFF:7f00:1").getAddress());
    }

    @Test
    void namedScopeIsTheLocalInterfaceOrUnknown() {
        UnknownHostException e = assertThrows(UnknownHostException.class, () -> Literals.address("fe80::1%nosuchif9"));
        assertEquals("no such interface nosuchif9", e.getMessage());
    }

    /** A numeric-looking host that is not numeric has no address of its own. */
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1.", "127.1", "0x7f000001", "localhost", "[::1]"})
    void addressOfANonNumericHostIsRefused(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Literals.address(text));
        assertEquals("not a numeric address: '" + text + "'", e.getMessage());
    }
}
