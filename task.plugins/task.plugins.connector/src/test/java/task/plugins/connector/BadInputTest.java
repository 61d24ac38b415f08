package task.plugins.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import task.api.EventContext;
import task.api.TaskCallback;
import task.impl.TaskRuntime;
import task.plugins.resolver.AddressFamily;

/**
 * Bad input to the Java API fails fast, names the operation and the value,
 * and creates and opens nothing.
 */
class BadInputTest {
    private static final String LONG_LABEL = "a".repeat(300);
    private static final String LONG_NAME = ("a".repeat(60) + ".").repeat(4) + "com"; // 247 + 7 > 253

    private TaskRuntime runtime;
    private EventContext context;
    private final TaskCallback<SocketAddress, Connection> callback = task -> {
        throw new AssertionError("no callback for refused input");
    };

    @BeforeEach
    void start() {
        runtime = TaskRuntime.start();
        context = runtime.contexts().create("bad-input-test");
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    static Stream<Arguments> badAddresses() {
        return Stream.of(
                Arguments.of(InetSocketAddress.createUnresolved("", 80), "connect: host not specified in ':80'"),
                Arguments.of(InetSocketAddress.createUnresolved(LONG_LABEL, 80), "longer than 63 characters"),
                Arguments.of(InetSocketAddress.createUnresolved(LONG_NAME + LONG_NAME, 80),
                        "longer than 253 characters"),
                Arguments.of(InetSocketAddress.createUnresolved("bad_host", 80), "illegal character '_'"),
                Arguments.of(InetSocketAddress.createUnresolved("localhost", 0), "connect: port 0 in 'localhost:0'"),
                Arguments.of(new InetSocketAddress(Loopback.V4, 0), "connect: port 0 in '127.0.0.1:0'"),
                Arguments.of(java.net.UnixDomainSocketAddress.of("/nonexistent/connector-test.sock"),
                        "connect: UNIX socket 'unix:/nonexistent/connector-test.sock' does not exist"),
                Arguments.of(java.net.UnixDomainSocketAddress.of(""), "connect: UNIX socket path not specified"),
                Arguments.of(new SocketAddress() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    public String toString() {
                        return "strange";
                    }
                }, "(strange)"));
    }

    @ParameterizedTest
    @MethodSource("badAddresses")
    void aBadAddressIsRefusedBeforeAnythingStarts(SocketAddress address, String expected) throws IOException {
        int sockets = Loopback.openSockets();
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> Connector.connect(runtime.tasks(), address, context, callback));
        assertTrue(error.getMessage().startsWith("connect: "), error.getMessage());
        assertTrue(error.getMessage().contains(expected), error.getMessage() + " should contain " + expected);
        assertNothingLeft(sockets);
    }

    @Test
    void nullArgumentsAreNamed() throws IOException {
        int sockets = Loopback.openSockets();
        SocketAddress address = new InetSocketAddress(Loopback.V4, 80);
        ConnectOptions options = ConnectOptions.defaults();
        assertNamed("tasks", () -> Connector.connect(null, address, options, context, callback));
        assertNamed("address", () -> Connector.connect(runtime.tasks(), null, options, context, callback));
        assertNamed("options", () -> Connector.connect(runtime.tasks(), address, null, context, callback));
        assertNamed("callback", () -> Connector.connect(runtime.tasks(), address, options, context, null));
        assertNamed("attemptTimeout", () -> new ConnectOptions(null, Duration.ofSeconds(1), AddressFamily.ANY));
        assertNamed("overallTimeout", () -> new ConnectOptions(Duration.ofSeconds(1), null, AddressFamily.ANY));
        assertNamed("family", () -> new ConnectOptions(Duration.ofSeconds(1), Duration.ofSeconds(1), null));
        assertNothingLeft(sockets);
    }

    static Stream<Arguments> badTimeouts() {
        return Stream.of(
                Arguments.of(Duration.ZERO, "PT0S"),
                Arguments.of(Duration.ofMillis(-1), "PT-0.001S"),
                Arguments.of(Duration.ofDays(2), "PT48H"));
    }

    @ParameterizedTest
    @MethodSource("badTimeouts")
    void aTimeoutOutOfRangeIsRefused(Duration timeout, String shown) {
        IllegalArgumentException attempt = assertThrows(IllegalArgumentException.class,
                () -> ConnectOptions.defaults().withAttemptTimeout(timeout));
        assertEquals("connect: attempt timeout " + shown + " out of range (0, PT24H]", attempt.getMessage());
        IllegalArgumentException overall = assertThrows(IllegalArgumentException.class,
                () -> ConnectOptions.defaults().withOverallTimeout(timeout));
        assertEquals("connect: overall timeout " + shown + " out of range (0, PT24H]", overall.getMessage());
    }

    private static void assertNamed(String parameter, org.junit.jupiter.api.function.Executable call) {
        NullPointerException error = assertThrows(NullPointerException.class, call);
        assertEquals(parameter, error.getMessage());
    }

    private void assertNothingLeft(int sockets) throws IOException {
        assertTrue(runtime.inspector().inFlight().isEmpty(), "no task was left");
        assertEquals(sockets, Loopback.openSockets(), "no socket was opened");
        assertTrue(!context.iterate(false), "nothing was posted, scheduled or watched");
    }
}
