package task.plugins.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskState;
import task.impl.TaskRuntime;

/**
 * The resolver against the system resolver: {@code localhost}, numeric
 * addresses, and {@code nosuchhost.invalid} (RFC 2606 guarantees it never
 * resolves). The timeout only guards against a hang; nothing waits on time.
 */
@Timeout(60)
class NameResolverTest {
    private TaskRuntime runtime;
    /** Driven by the test thread, so the test sees exactly when callbacks run. */
    private EventContext context;

    @BeforeEach
    void start() {
        runtime = TaskRuntime.start();
        context = runtime.contexts().create("resolver-test");
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    private static InetSocketAddress unresolved(String host, int port) {
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static void assertAllLoopbackWithPort(List<SocketAddress> addresses, int port) {
        assertFalse(addresses.isEmpty());
        for (SocketAddress address : addresses) {
            InetSocketAddress inet = assertInstanceOf(InetSocketAddress.class, address);
            assertFalse(inet.isUnresolved(), inet + " must be numeric");
            assertTrue(inet.getAddress().isLoopbackAddress(), inet + " must be loopback");
            assertEquals(port, inet.getPort());
        }
    }

    private static boolean has127(List<SocketAddress> addresses) {
        return addresses.stream().anyMatch(a -> SocketAddresses.format(a).equals("127.0.0.1:" + ((InetSocketAddress) a).getPort()));
    }

    @Test
    void localhostSyncIsLoopbackAndIncludes127() throws UnknownHostException {
        List<SocketAddress> found = NameResolver.resolve(unresolved("localhost", 80), AddressFamily.ANY);
        assertAllLoopbackWithPort(found, 80);
        assertTrue(has127(found), found.toString());
    }

    @Test
    void localhostAsyncRunsOffContextAndCompletesOnIt() {
        Outcome<SocketAddress, List<SocketAddress>> outcome = new Outcome<>(context);
        Task<SocketAddress, List<SocketAddress>> task = NameResolver.resolve(runtime.tasks(), unresolved("localhost", 443),
                AddressFamily.ANY, context, outcome);
        assertEquals("resolve localhost:443", task.name());
        assertFalse(outcome.isDone(), "the callback waits for the context");
        outcome.drive();
        assertNull(outcome.error());
        assertAllLoopbackWithPort(outcome.result(), 443);
        assertTrue(has127(outcome.result()));
        assertSame(Thread.currentThread(), outcome.thread());
        assertTrue(outcome.onContextThread());
    }

    @Test
    void asyncCompletesOnAContextWithItsOwnThread() throws Exception {
        EventContext own = runtime.contexts().start("resolver-own-thread");
        Outcome<SocketAddress, List<SocketAddress>> outcome = new Outcome<>(own);
        NameResolver.resolve(runtime.tasks(), unresolved("localhost", 1), AddressFamily.IPV4, own, outcome);
        outcome.await();
        assertNull(outcome.error());
        assertEquals("resolver-own-thread", outcome.thread().getName());
        assertTrue(outcome.onContextThread());
        assertTrue(has127(outcome.result()));
    }

    @Test
    void nullContextMeansTheDefaultContext() throws Exception {
        Outcome<SocketAddress, List<SocketAddress>> outcome = new Outcome<>(runtime.defaultContext());
        NameResolver.resolve(runtime.tasks(), unresolved("127.0.0.1", 7), AddressFamily.ANY, null, outcome);
        outcome.await();
        assertTrue(outcome.onContextThread());
        assertEquals("127.0.0.1:7", SocketAddresses.format(outcome.result().get(0)));
    }

    @Test
    void numericIpv4PassesThroughWithoutAWorker() {
        Outcome<SocketAddress, List<SocketAddress>> outcome = new Outcome<>(context);
        Task<SocketAddress, List<SocketAddress>> task = NameResolver.resolve(runtime.tasks(), unresolved("127.0.0.1", 8080),
                AddressFamily.ANY, context, outcome);
        // A threaded task would be QUEUED, RUNNING or SCHEDULED by now.
        assertEquals(TaskState.PENDING, task.state());
        outcome.drive();
        assertNull(outcome.error());
        assertSame(Thread.currentThread(), outcome.thread());
        assertTrue(outcome.onContextThread());
        assertEquals(1, outcome.result().size());
        InetSocketAddress only = (InetSocketAddress) outcome.result().get(0);
        assertInstanceOf(Inet4Address.class, only.getAddress());
        assertEquals("127.0.0.1:8080", SocketAddresses.format(only));
    }

    @Test
    void numericIpv6PassesThroughWithoutAWorker() {
        Outcome<SocketAddress, List<SocketAddress>> outcome = new Outcome<>(context);
        Task<SocketAddress, List<SocketAddress>> task = NameResolver.resolve(runtime.tasks(), unresolved("::1", 8080),
                AddressFamily.IPV6, context, outcome);
        assertEquals(TaskState.PENDING, task.state());
        outcome.drive();
        assertNull(outcome.error());
        assertTrue(outcome.onContextThread());
        InetSocketAddress only = (InetSocketAddress) outcome.result().get(0);
        assertInstanceOf(Inet6Address.class, only.getAddress());
        assertEquals("[::1]:8080", SocketAddresses.format(only));
        assertEquals(1, outcome.result().size());
    }

    @Test
    void numericSyncFormsPassThrough() throws UnknownHostException {
        assertEquals("[::1]:9", SocketAddresses.format(NameResolver.resolve(unresolved("[::1]", 9), AddressFamily.ANY).get(0)));
        InetSocketAddress resolved = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5);
        assertEquals(List.of(resolved), NameResolver.resolve(resolved, AddressFamily.IPV4));
    }

    /**
     * Regression (issue 9): "127.0.0.1." passed as numeric, then went to the
     * system resolver as a name; now it, and every host that a resolver could
     * read as a number without being a dotted quad, is refused before
     * anything starts.
     */
    @Test
    void numericLookingHostsAreRefusedNotLookedUp() {
        for (String host : new String[] {"127.0.0.1.", "0x7f000001", "1.2.3.0x4", "0x"}) {
            IllegalArgumentException sync = assertThrows(IllegalArgumentException.class,
                    () -> NameResolver.resolve(unresolved(host, 80), AddressFamily.ANY), host);
            assertTrue(sync.getMessage().startsWith("resolve: not a valid IPv4 address"), sync.getMessage());
            assertTrue(sync.getMessage().endsWith(" '" + host + "'"), sync.getMessage());
            assertThrows(IllegalArgumentException.class, () -> NameResolver.resolve(runtime.tasks(),
                    unresolved(host, 80), AddressFamily.ANY, context, t -> { }), host);
        }
        assertTrue(runtime.inspector().inFlight().isEmpty());
        assertFalse(context.iterate(false));
    }

    /** A numeric host is the address its digits spell, a scope number kept, a mapped IPv4 address made IPv4. */
    @Test
    void numericHostsAreTheirOwnBytes() throws UnknownHostException {
        InetSocketAddress v4 = (InetSocketAddress) NameResolver.resolve(unresolved("10.20.30.40", 1), AddressFamily.IPV4)
                .get(0);
        assertEquals(List.of(10, 20, 30, 40), unsigned(v4.getAddress().getAddress()));
        InetSocketAddress mapped = (InetSocketAddress) NameResolver.resolve(unresolved("::FFFF:10.20.30.40", 2),
                AddressFamily.IPV4).get(0);
        assertEquals(v4.getAddress(), mapped.getAddress());
        InetSocketAddress scoped = (InetSocketAddress) NameResolver.resolve(unresolved("[FE80::A%7]", 3),
                AddressFamily.IPV6).get(0);
        Inet6Address linkLocal = assertInstanceOf(Inet6Address.class, scoped.getAddress());
        assertEquals(7, linkLocal.getScopeId());
        assertEquals("[fe80::a%7]:3", SocketAddresses.format(scoped));
    }

    private static List<Integer> unsigned(byte[] bytes) {
        return IntStream.range(0, bytes.length).mapToObj(i -> bytes[i] & 0xff).toList();
    }

    @Test
    void numericOfTheWrongFamilyIsAnError() {
        UnknownHostException v4 = assertThrows(UnknownHostException.class,
                () -> NameResolver.resolve(unresolved("127.0.0.1", 80), AddressFamily.IPV6));
        assertTrue(v4.getMessage().contains("'127.0.0.1' port 80 is not an IPv6 address"), v4.getMessage());
        UnknownHostException v6 = assertThrows(UnknownHostException.class,
                () -> NameResolver.resolve(unresolved("::1", 80), AddressFamily.IPV4));
        assertTrue(v6.getMessage().contains("'::1' port 80 is not an IPv4 address"), v6.getMessage());

        Outcome<SocketAddress, List<SocketAddress>> outcome = new Outcome<>(context);
        Task<SocketAddress, List<SocketAddress>> task = NameResolver.resolve(runtime.tasks(), unresolved("::1", 80),
                AddressFamily.IPV4, context, outcome);
        assertEquals(TaskState.PENDING, task.state());
        outcome.drive();
        assertInstanceOf(UnknownHostException.class, outcome.error());
        assertNull(outcome.result());
    }

    @Test
    void ipv4OnlyKeepsOnlyIpv4() throws UnknownHostException {
        List<SocketAddress> found = NameResolver.resolve(unresolved("localhost", 22), AddressFamily.IPV4);
        assertAllLoopbackWithPort(found, 22);
        assertTrue(has127(found));
        for (SocketAddress address : found) {
            assertInstanceOf(Inet4Address.class, ((InetSocketAddress) address).getAddress());
        }
    }

    @Test
    void ipv6OnlyKeepsExactlyTheIpv6OnesOrFailsNamingTheFamily() throws UnknownHostException {
        List<SocketAddress> any = NameResolver.resolve(unresolved("localhost", 22), AddressFamily.ANY);
        List<SocketAddress> expected = any.stream()
                .filter(a -> ((InetSocketAddress) a).getAddress() instanceof Inet6Address).toList();
        if (expected.isEmpty()) {
            // This host's resolver gives localhost no IPv6 address.
            UnknownHostException e = assertThrows(UnknownHostException.class,
                    () -> NameResolver.resolve(unresolved("localhost", 22), AddressFamily.IPV6));
            assertTrue(e.getMessage().contains("host 'localhost' port 22 has no IPv6 address"), e.getMessage());
        } else {
            assertEquals(expected, NameResolver.resolve(unresolved("localhost", 22), AddressFamily.IPV6));
        }
    }

    @Test
    void unknownHostFailsNamingHostPortAndCause() {
        UnknownHostException sync = assertThrows(UnknownHostException.class,
                () -> NameResolver.resolve(unresolved("nosuchhost.invalid", 4242), AddressFamily.ANY));
        assertTrue(sync.getMessage().startsWith("resolve: cannot resolve host 'nosuchhost.invalid' port 4242: "),
                sync.getMessage());
        assertInstanceOf(UnknownHostException.class, sync.getCause());

        Outcome<SocketAddress, List<SocketAddress>> outcome = new Outcome<>(context);
        NameResolver.resolve(runtime.tasks(), unresolved("nosuchhost.invalid", 4242), AddressFamily.ANY, context, outcome);
        outcome.drive();
        assertNull(outcome.result());
        UnknownHostException async = assertInstanceOf(UnknownHostException.class, outcome.error());
        assertTrue(async.getMessage().contains("'nosuchhost.invalid' port 4242"), async.getMessage());
        assertTrue(outcome.onContextThread());
    }

    @Test
    void emptyHostIsHostNotSpecifiedAndStartsNothing() {
        IllegalArgumentException sync = assertThrows(IllegalArgumentException.class,
                () -> NameResolver.resolve(unresolved("", 80), AddressFamily.ANY));
        assertEquals("resolve: host not specified", sync.getMessage());
        Outcome<SocketAddress, List<SocketAddress>> outcome = new Outcome<>(context);
        IllegalArgumentException async = assertThrows(IllegalArgumentException.class,
                () -> NameResolver.resolve(runtime.tasks(), unresolved("", 80), AddressFamily.ANY, context, outcome));
        assertEquals("resolve: host not specified", async.getMessage());
        assertTrue(runtime.inspector().inFlight().isEmpty(), "no task may be left");
        assertFalse(context.iterate(false), "nothing may have been posted");
        assertEquals(0, outcome.calls());
    }

    @Test
    void malformedHostsFailFastNamingTheHost() {
        for (String host : new String[] {"a".repeat(300), "a:1:2", "bad_name", "1.2.3", "a..b"}) {
            IllegalArgumentException sync = assertThrows(IllegalArgumentException.class,
                    () -> NameResolver.resolve(unresolved(host, 80), AddressFamily.ANY), host);
            assertTrue(sync.getMessage().startsWith("resolve: "), sync.getMessage());
            assertTrue(sync.getMessage().contains(host.substring(0, Math.min(80, host.length()))), sync.getMessage());
            assertThrows(IllegalArgumentException.class, () -> NameResolver.resolve(runtime.tasks(), unresolved(host, 80),
                    AddressFamily.ANY, context, t -> { }), host);
        }
        assertTrue(runtime.inspector().inFlight().isEmpty());
        assertFalse(context.iterate(false));
    }

    @Test
    void nullArgumentsAreNullPointersNamingTheParameter() {
        InetSocketAddress address = unresolved("localhost", 1);
        assertEquals("address", assertThrows(NullPointerException.class,
                () -> NameResolver.resolve(null, AddressFamily.ANY)).getMessage());
        assertEquals("family", assertThrows(NullPointerException.class,
                () -> NameResolver.resolve(address, null)).getMessage());
        assertEquals("tasks", assertThrows(NullPointerException.class,
                () -> NameResolver.resolve(null, address, AddressFamily.ANY, context, t -> { })).getMessage());
        assertEquals("callback", assertThrows(NullPointerException.class,
                () -> NameResolver.resolve(runtime.tasks(), address, AddressFamily.ANY, context, null)).getMessage());
        assertTrue(runtime.inspector().inFlight().isEmpty());
    }

    @Test
    void unixAddressPassesThroughUnchangedWithoutAWorker() throws UnknownHostException {
        UnixDomainSocketAddress unix = UnixDomainSocketAddress.of("/tmp/resolver-test-does-not-need-to-exist.sock");
        assertEquals(List.of(unix), NameResolver.resolve(unix, AddressFamily.IPV6));
        Outcome<SocketAddress, List<SocketAddress>> outcome = new Outcome<>(context);
        Task<SocketAddress, List<SocketAddress>> task = NameResolver.resolve(runtime.tasks(), unix, AddressFamily.ANY,
                context, outcome);
        assertEquals(TaskState.PENDING, task.state());
        outcome.drive();
        assertNull(outcome.error());
        assertSame(unix, outcome.result().get(0));
        assertEquals(1, outcome.result().size());
    }

    @Test
    void closedContextRefusesAPassThroughAndLeavesNoTask() {
        EventContext closed = runtime.contexts().create("closed");
        closed.close();
        Outcome<SocketAddress, List<SocketAddress>> outcome = new Outcome<>(closed);
        assertThrows(RejectedExecutionException.class, () -> NameResolver.resolve(runtime.tasks(),
                unresolved("127.0.0.1", 1), AddressFamily.ANY, closed, outcome));
        assertTrue(runtime.inspector().inFlight().isEmpty());
        assertEquals(0, outcome.calls());
    }
}
