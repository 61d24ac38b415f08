package task.plugins.connector.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCancelledException;
import task.api.spi.OperationInfo;
import task.api.spi.OperationRequest;
import task.impl.TaskRuntime;
import task.plugins.connector.Loopback;
import task.plugins.connector.Outcome;

/** The operation {@code connect HOST:PORT [TIMEOUT_MS]}, found and run through the runtime's operation service. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectOperationTest {
    private TaskRuntime runtime;
    private EventContext context;

    @BeforeEach
    void start() {
        runtime = TaskRuntime.start();
        context = runtime.contexts().create("connect-operation-test");
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    private Task<OperationRequest, Object> run(Outcome<OperationRequest, Object> outcome, String... arguments) {
        return runtime.operations().start(runtime.tasks(), "connect", List.of(arguments), context, outcome);
    }

    @Test
    void isFoundOnTheClassPath() {
        OperationInfo info = runtime.operations().find("connect").orElseThrow();
        assertEquals("connect HOST:PORT [TIMEOUT_MS]", info.usage());
        assertEquals(ConnectOperation.class.getName(), info.provider());
    }

    @Test
    void printsTheLocalAndRemoteAddressAndClosesTheConnection() throws Exception {
        try (ServerSocketChannel server = Loopback.listen()) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
            run(outcome, "127.0.0.1:" + port);
            outcome.drive();

            assertNull(outcome.error());
            assertTrue(outcome.ranOnContext());
            String printed = outcome.result().toString();
            Matcher matcher = Pattern.compile("connected 127\\.0\\.0\\.1:(\\d+) -> 127\\.0\\.0\\.1:" + port)
                    .matcher(printed);
            assertTrue(matcher.matches(), printed);
            try (SocketChannel accepted = server.accept()) {
                assertEquals(Integer.parseInt(matcher.group(1)),
                        ((InetSocketAddress) accepted.getRemoteAddress()).getPort(), "the printed local port");
                assertEquals(-1, accepted.read(ByteBuffer.allocate(1)), "the operation closed its end");
            }
        }
    }

    @Test
    void connectsToLocalhostWithATimeout() throws Exception {
        try (ServerSocketChannel server = Loopback.listen()) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
            run(outcome, "localhost:" + port, "5000");
            outcome.drive();
            // localhost may name ::1 first, where nobody listens; 127.0.0.1 then answers.
            assertNull(outcome.error());
            assertTrue(outcome.result().toString().endsWith(" -> 127.0.0.1:" + port), outcome.result().toString());
        }
    }

    @Test
    void connectsToAUnixDomainSocket(@TempDir Path directory) throws Exception {
        Path path = directory.resolve("op.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
            run(outcome, "unix:" + path);
            outcome.drive();
            assertNull(outcome.error());
            assertEquals("connected unix:(unnamed) -> unix:" + path, outcome.result().toString());
        }
    }

    @Test
    void failsAgainstAClosedPortNamingTheAddress() throws Exception {
        int port = Loopback.closedPort();
        int sockets = Loopback.openSockets();
        Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
        run(outcome, "127.0.0.1:" + port);
        outcome.drive();

        ConnectException error = assertInstanceOf(ConnectException.class, outcome.error());
        assertEquals("connect: could not connect to 127.0.0.1:" + port + ": 127.0.0.1:" + port
                + " (Connection refused)", error.getMessage());
        drain();
        assertEquals(sockets, Loopback.openSockets());
        assertTrue(runtime.inspector().inFlight().isEmpty(), "the operation and its subtasks have finished");
    }

    @Test
    void failsForANameUnderInvalid() {
        Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
        run(outcome, "no-such-host.invalid:80");
        outcome.drive();
        UnknownHostException error = assertInstanceOf(UnknownHostException.class, outcome.error());
        assertTrue(error.getMessage().contains("no-such-host.invalid"), error.getMessage());
    }

    @Test
    void cancellingTheOperationCancelsTheConnectAndClosesItsSocket() throws Exception {
        try (Loopback.Stuck stuck = new Loopback.Stuck()) {
            int sockets = Loopback.openSockets();
            Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
            Task<OperationRequest, Object> task = run(outcome, "127.0.0.1:" + stuck.address().getPort());
            assertTrue(context.iterate(true), "the lookup's completion starts the connect");
            assertFalse(outcome.isDone());
            assertEquals(sockets + 1, Loopback.openSockets(), "the pending connect");

            assertTrue(task.cancel(false));
            outcome.drive();
            assertInstanceOf(TaskCancelledException.class, outcome.error());
            drain();
            assertEquals(sockets, Loopback.openSockets());
            assertTrue(runtime.inspector().inFlight().isEmpty());
        }
    }

    static Stream<Arguments> badArguments() {
        String longLabel = "a".repeat(300);
        return Stream.of(
                Arguments.of(List.of(), "connect: missing argument HOST:PORT"),
                Arguments.of(List.of(""), "connect: address not specified"),
                Arguments.of(List.of("localhost"), "connect: port not specified in 'localhost'"),
                Arguments.of(List.of("localhost:-1"), "connect: port -1 out of range 0..65535"),
                Arguments.of(List.of("localhost:65536"), "connect: port 65536 out of range 0..65535"),
                Arguments.of(List.of("localhost:http"), "connect: port 'http' is not a number"),
                Arguments.of(List.of("host:1:extra"), "'host:1:extra'"),
                Arguments.of(List.of(longLabel + ":80"), "label longer than 63 characters"),
                Arguments.of(List.of("localhost:0"), "connect: port 0 in 'localhost:0' cannot be connected to"),
                Arguments.of(List.of("unix:/nonexistent/connector-op.sock"),
                        "connect: UNIX socket 'unix:/nonexistent/connector-op.sock' does not exist"),
                Arguments.of(List.of("localhost:80", "0"), "connect: timeout 0 ms out of range 1..86400000"),
                Arguments.of(List.of("localhost:80", "-5"), "connect: timeout -5 ms out of range"),
                Arguments.of(List.of("localhost:80", "99999999999999999999"),
                        "connect: timeout 99999999999999999999 ms out of range"),
                Arguments.of(List.of("localhost:80", "86400001"), "connect: timeout 86400001 ms out of range"),
                Arguments.of(List.of("localhost:80", "soon"),
                        "connect: timeout 'soon' is not a number of milliseconds"),
                Arguments.of(List.of("localhost:80", "100", "extra"), "connect: too many arguments"));
    }

    @ParameterizedTest
    @MethodSource("badArguments")
    void badArgumentsFailFastAndLeaveNothing(List<String> arguments, String expected) throws IOException {
        int sockets = Loopback.openSockets();
        Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> run(outcome, arguments.toArray(new String[0])));
        assertTrue(error.getMessage().startsWith("connect: "), error.getMessage());
        assertTrue(error.getMessage().contains(expected), error.getMessage() + " should contain " + expected);
        assertFalse(outcome.isDone());
        assertTrue(runtime.inspector().inFlight().isEmpty(), "no task was left");
        assertFalse(context.iterate(false), "nothing was posted, scheduled or watched");
        assertEquals(sockets, Loopback.openSockets(), "no socket was opened");
    }

    private void drain() {
        while (context.iterate(false)) {
            // until nothing is due
        }
    }
}
