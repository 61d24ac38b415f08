package task.plugins.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;

import org.junit.jupiter.api.Test;

/** How addresses are written in messages and in the operation's output, and which family opens them. */
class AddressesTest {

    @Test
    void writesAddressesAsPeopleDo() throws Exception {
        assertEquals("127.0.0.1:80", Addresses.text(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80)));
        assertEquals("[::1]:80", Addresses.text(new InetSocketAddress(InetAddress.getByName("::1"), 80)));
        assertEquals("localhost:80", Addresses.text(InetSocketAddress.createUnresolved("localhost", 80)));
        // A resolved address is written by number, whatever name it came from.
        InetSocketAddress named = new InetSocketAddress(InetAddress.getByAddress("localhost",
                new byte[] {127, 0, 0, 1}), 80);
        assertEquals("127.0.0.1:80", Addresses.text(named));
        assertEquals("unix:/run/x.sock", Addresses.text(UnixDomainSocketAddress.of("/run/x.sock")));
        assertEquals("unix:(unnamed)", Addresses.text(UnixDomainSocketAddress.of("")));
        assertEquals("(none)", Addresses.text(null));
    }

    @Test
    void opensTheFamilyOfTheAddress() throws Exception {
        assertEquals(StandardProtocolFamily.INET, Addresses.family(new InetSocketAddress(Loopback.V4, 1)));
        assertEquals(StandardProtocolFamily.INET6,
                Addresses.family(new InetSocketAddress(InetAddress.getByName("::1"), 1)));
        assertEquals(StandardProtocolFamily.UNIX, Addresses.family(UnixDomainSocketAddress.of("/run/x.sock")));
    }
}
