package task.plugins.resolver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        "::1%", "::1%a b", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "localhost", "a:1:2", "1.2.3.4", "::1:"})
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
}
