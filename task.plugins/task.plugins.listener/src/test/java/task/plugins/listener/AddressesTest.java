package task.plugins.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Addresses are printed as users write them. */
class AddressesTest {

    @Test
    void compressesTheLongestRunOfZeroGroups() {
        assertEquals("::1", Addresses.compress("0:0:0:0:0:0:0:1"));
        assertEquals("::", Addresses.compress("0:0:0:0:0:0:0:0"));
        assertEquals("fe80::1:2:3:4%eth0", Addresses.compress("fe80:0:0:0:1:2:3:4%eth0"));
        assertEquals("1:0:2:3:4:5:6:7", Addresses.compress("1:0:2:3:4:5:6:7"));
        // The first of two equally long runs wins (RFC 5952 4.2.3).
        assertEquals("1::2:3:0:0:4", Addresses.compress("1:0:0:2:3:0:0:4"));
    }

    @Test
    void formatsEachKindOfAddress() {
        assertEquals("127.0.0.1:80", Addresses.format(new InetSocketAddress("127.0.0.1", 80)));
        assertEquals("[::1]:80", Addresses.format(new InetSocketAddress("::1", 80)));
        assertEquals("example.invalid:8", Addresses.format(InetSocketAddress.createUnresolved("example.invalid", 8)));
        assertEquals("[fe80::1]:8", Addresses.format(InetSocketAddress.createUnresolved("fe80::1", 8)));
        assertEquals("unix:/run/x.sock", Addresses.format(UnixDomainSocketAddress.of("/run/x.sock")));
        assertEquals("127.0.0.1:1, [::1]:2", Addresses.format(List.of(new InetSocketAddress("127.0.0.1", 1),
                new InetSocketAddress("::1", 2))));
    }
}
