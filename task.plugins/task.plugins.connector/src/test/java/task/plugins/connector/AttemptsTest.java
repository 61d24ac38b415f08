package task.plugins.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCancelledException;
import task.impl.TaskRuntime;

/**
 * Trying addresses in turn, and the timeouts. A real name cannot be made to
 * resolve to a chosen list of addresses, so these tests give the connector
 * a lookup that completes, on the context, with the list they choose; the
 * connects themselves are real. A connect is held pending by a listener
 * whose accept queue is full ({@link Loopback.Stuck}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AttemptsTest {
    private static Loopback.Stuck stuck;

    private TaskRuntime runtime;
    private EventContext context;
    private int socketsBefore;

    @BeforeAll
    static void fillAListener() throws IOException {
        stuck = new Loopback.Stuck();
    }

    @AfterAll
    static void emptyIt() throws IOException {
        if (stuck != null) {
            stuck.close();
        }
    }

    @BeforeEach
    void start() throws IOException {
        runtime = TaskRuntime.start();
        context = runtime.contexts().create("attempts-test");
        socketsBefore = Loopback.openSockets();
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    /** A lookup that finds {@code addresses}, completing on the context as the resolver does. */
    private static Lookup finding(SocketAddress... addresses) {
        return (tasks, address, family, context, callback) -> {
            Task<SocketAddress, List<SocketAddress>> lookup = tasks.builder(address, callback).context(context)
                    .create();
            context.post(() -> {
                lookup.setResult(List.of(addresses));
                lookup.complete();
            });
            return lookup;
        };
    }

    private Task<SocketAddress, Connection> connect(ConnectOptions options, Lookup lookup,
            Outcome<SocketAddress, Connection> outcome) {
        return Connector.connect(runtime.tasks(), InetSocketAddress.createUnresolved("service.example", 4242),
                options, context, outcome, lookup);
    }

    @Test
    void triesEachAddressInTurnAndNamesEveryFailure() throws Exception {
        InetSocketAddress first = new InetSocketAddress(Loopback.V4, Loopback.closedPort());
        InetSocketAddress second = new InetSocketAddress(Loopback.V4, Loopback.closedPort());
        Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
        connect(ConnectOptions.defaults(), finding(first, second), outcome);
        outcome.drive();

        ConnectException error = assertInstanceOf(ConnectException.class, outcome.error());
        assertEquals("connect: could not connect to service.example:4242: 127.0.0.1:" + first.getPort()
                + " (Connection refused), 127.0.0.1:" + second.getPort() + " (Connection refused)",
                error.getMessage());
        assertEquals(2, error.getSuppressed().length);
        drain();
        assertEquals(socketsBefore, Loopback.openSockets(), "both channels were closed");
    }

    @Test
    void connectsToTheFirstAddressThatAnswers() throws Exception {
        try (ServerSocketChannel server = Loopback.listen()) {
            InetSocketAddress refused = new InetSocketAddress(Loopback.V4, Loopback.closedPort());
            Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
            connect(ConnectOptions.defaults(), finding(refused, server.getLocalAddress()), outcome);
            outcome.drive();

            assertNull(outcome.error());
            assertEquals(server.getLocalAddress(), outcome.result().remoteAddress());
            drain();
            assertEquals(socketsBefore + 1, Loopback.openSockets(),
                    "only the listener's accept queue still holds the connection; the refused channel is closed");
        }
    }

    @Test
    void anAttemptThatTimesOutGivesWayToTheNextAddress() throws Exception {
        try (ServerSocketChannel server = Loopback.listen()) {
            Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
            connect(ConnectOptions.defaults().withAttemptTimeout(Duration.ofMillis(100)),
                    finding(stuck.address(), server.getLocalAddress()), outcome);
            outcome.drive();

            assertNull(outcome.error());
            assertEquals(server.getLocalAddress(), outcome.result().remoteAddress());
        }
    }

    @Test
    void anAttemptTimeoutIsNamedWhenEveryAddressFails() throws Exception {
        InetSocketAddress refused = new InetSocketAddress(Loopback.V4, Loopback.closedPort());
        Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
        connect(ConnectOptions.defaults().withAttemptTimeout(Duration.ofMillis(100)),
                finding(stuck.address(), refused), outcome);
        outcome.drive();

        ConnectException error = assertInstanceOf(ConnectException.class, outcome.error());
        assertEquals("connect: could not connect to service.example:4242: 127.0.0.1:" + stuck.address().getPort()
                + " (timed out after 100 ms), 127.0.0.1:" + refused.getPort() + " (Connection refused)",
                error.getMessage());
        assertInstanceOf(SocketTimeoutException.class, error.getSuppressed()[0]);
        drain();
        assertEquals(socketsBefore, Loopback.openSockets());
    }

    @Test
    void theOverallTimeoutEndsAPendingConnectAndNamesWhatWasNotTried() throws Exception {
        InetSocketAddress untried = new InetSocketAddress(Loopback.V4, Loopback.closedPort());
        Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
        connect(ConnectOptions.defaults().withOverallTimeout(Duration.ofMillis(150)),
                finding(stuck.address(), untried), outcome);
        outcome.drive();

        SocketTimeoutException error = assertInstanceOf(SocketTimeoutException.class, outcome.error());
        assertEquals("connect: could not connect to service.example:4242 within 150 ms: 127.0.0.1:"
                + stuck.address().getPort() + " (still connecting), 1 more address not tried", error.getMessage());
        drain();
        assertEquals(socketsBefore, Loopback.openSockets(), "the pending channel was closed");
        assertTrue(runtime.inspector().inFlight().isEmpty());
    }

    @Test
    void theOverallTimeoutCoversTheLookup() throws Exception {
        AtomicReference<Task<SocketAddress, List<SocketAddress>>> lookup = new AtomicReference<>();
        Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
        connect(ConnectOptions.defaults().withOverallTimeout(Duration.ofMillis(50)), never(lookup), outcome);
        outcome.drive();

        SocketTimeoutException error = assertInstanceOf(SocketTimeoutException.class, outcome.error());
        assertEquals("connect: could not connect to service.example:4242 within 50 ms: the name lookup had not"
                + " finished", error.getMessage());
        assertTrue(lookup.get().isCancelled(), "the lookup was stopped");
    }

    @Test
    void cancellingStopsTheLookup() throws Exception {
        AtomicReference<Task<SocketAddress, List<SocketAddress>>> lookup = new AtomicReference<>();
        Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
        Task<SocketAddress, Connection> task = connect(ConnectOptions.defaults(), never(lookup), outcome);
        assertFalse(lookup.get().isCancelled());

        assertTrue(task.cancel(false, "test"));
        assertTrue(lookup.get().isCancelled(), "the hook cancels the lookup before cancel returns");
        outcome.drive();

        TaskCancelledException error = assertInstanceOf(TaskCancelledException.class, outcome.error());
        assertTrue(error.getMessage().endsWith("was cancelled: test"), error.getMessage());
    }

    @Test
    void cancellingAfterAFailedAttemptClosesTheChannelInFlight() throws Exception {
        // An unresolved address fails inside connect() itself, at once and
        // without a watch, so one iteration deterministically moves on to
        // the second address, which stays pending.
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("unresolved.example", 1);
        int before = Loopback.openSockets();
        Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
        Task<SocketAddress, Connection> task = connect(ConnectOptions.defaults(),
                finding(unresolved, stuck.address()), outcome);
        assertTrue(context.iterate(true));
        assertFalse(outcome.isDone());
        assertEquals(before + 1, Loopback.openSockets(), "the first channel is closed, the second pending");

        assertTrue(task.cancel(false));
        outcome.drive();
        assertInstanceOf(TaskCancelledException.class, outcome.error());
        drain();
        assertEquals(before, Loopback.openSockets());
    }

    @Test
    void anAttemptThatFailsAtOnceIsNamedWithItsException() throws Exception {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("unresolved.example", 1);
        Outcome<SocketAddress, Connection> outcome = new Outcome<>(context);
        connect(ConnectOptions.defaults().withOverallTimeout(Duration.ofMillis(100)),
                finding(unresolved, stuck.address()), outcome);
        outcome.drive();

        SocketTimeoutException error = assertInstanceOf(SocketTimeoutException.class, outcome.error());
        assertEquals("connect: could not connect to service.example:4242 within 100 ms: unresolved.example:1"
                + " (UnresolvedAddressException), 127.0.0.1:" + stuck.address().getPort() + " (still connecting)",
                error.getMessage());
        assertEquals(1, error.getSuppressed().length);
    }

    /** A lookup that never finishes on its own. */
    private static Lookup never(AtomicReference<Task<SocketAddress, List<SocketAddress>>> started) {
        return (tasks, address, family, context, callback) -> {
            Task<SocketAddress, List<SocketAddress>> lookup = tasks.builder(address, callback).context(context)
                    .create();
            started.set(lookup);
            return lookup;
        };
    }

    private void drain() {
        while (context.iterate(false)) {
            // until nothing is due
        }
    }
}
