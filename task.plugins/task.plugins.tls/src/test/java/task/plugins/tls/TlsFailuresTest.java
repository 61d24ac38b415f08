package task.plugins.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import task.api.EventContext;
import task.api.TaskCancelledException;
import task.api.TaskFuture;
import task.impl.TaskRuntime;
import task.plugins.connector.ConnectOptions;

/**
 * How a handshake ends when it cannot succeed: a certificate nobody
 * trusts, a certificate for another name, a peer that stalls, one that
 * closes, one that speaks no TLS, a cancel and a disposal in the middle.
 * Each ends with one clear error (or, disposed, none), and nothing is left
 * open: the socket, its watch, the timer, the context's selector.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsFailuresTest {
    /** Long enough never to fire in a test that does not wait for it. */
    private static final Duration NEVER = Duration.ofMinutes(10);

    @TempDir
    static Path dir;
    private static Pki pki;

    private TaskRuntime runtime;
    private EventContext context;

    @BeforeAll
    static void makePki() throws Exception {
        if (OpenSslPeer.isAvailable()) {
            pki = Pki.make(dir);
        }
    }

    @BeforeEach
    void start() {
        OpenSslPeer.assumeAvailable();
        runtime = TaskRuntime.start();
        context = runtime.contexts().create("tls-failures-test");
    }

    @AfterEach
    void stop() {
        if (runtime != null) { // null when openssl is missing and the test was skipped
            runtime.close();
        }
    }

    /** Runs what is due on the context, then closes it: its selector releases closed sockets' descriptors. */
    private void drainAndClose() {
        while (context.iterate(false)) {
            // until nothing is due
        }
        context.close();
    }

    @Test
    void anUntrustedCertificateFailsNamingThePeerAndTheCauseAndTheAlertReachesThePeer() throws Exception {
        try (OpenSslPeer server = OpenSslPeer.server(pki.dir, "-cert", "untrusted.pem", "-key", "untrusted.key")) {
            Map<String, String> before = Descriptors.snapshot();
            SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context);
            TlsHandshake.client(runtime.tasks(), socket, "localhost", TlsOptions.of(pki.trustingCa()), context,
                    outcome);
            outcome.drive();

            SSLHandshakeException error = assertInstanceOf(SSLHandshakeException.class, outcome.error());
            String message = error.getMessage();
            assertTrue(message.startsWith("tls: handshake with localhost at 127.0.0.1:" + server.port() + " failed: "),
                    message);
            assertTrue(message.contains("unable to find valid certification path"), message);
            assertInstanceOf(SSLHandshakeException.class, error.getCause(), "the engine's own exception");
            assertEquals(1, outcome.calls());
            // The engine's alert was sent before the socket was closed.
            String alert = server.awaitLine("SSL alert number");
            assertTrue(alert.contains("alert certificate unknown"), alert);
            assertFalse(socket.isOpen());
            drainAndClose();
            Descriptors.assertNoneLeft(before);
            assertTrue(runtime.inspector().inFlight().isEmpty());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "localhost | localhost at 127.0.0.1 | No subject alternative DNS name matching localhost found",
            "127.0.0.1 | 127.0.0.1 | No subject alternative names matching IP address 127.0.0.1 found" })
    void aCertificateForAnotherNameFails(String host, String peer, String cause) throws Exception {
        try (OpenSslPeer server = OpenSslPeer.server(pki.dir, "-cert", "wrong-name.pem", "-key", "wrong-name.key")) {
            Map<String, String> before = Descriptors.snapshot();
            SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context);
            TlsHandshake.client(runtime.tasks(), socket, host, TlsOptions.of(pki.trustingCa()), context, outcome);
            outcome.drive();

            SSLHandshakeException error = assertInstanceOf(SSLHandshakeException.class, outcome.error());
            // JDK 25 puts the alert it sends first: "(certificate_unknown) No subject ...".
            assertEquals("tls: handshake with " + peer + ":" + server.port() + " failed: " + cause,
                    error.getMessage().replaceFirst("\\.$", "").replace("failed: (certificate_unknown) ", "failed: "));
            server.awaitLine("SSL alert number");
            assertFalse(socket.isOpen());
            drainAndClose();
            Descriptors.assertNoneLeft(before);
        }
    }

    @Test
    void aPeerThatStallsMidHandshakeEndsByTheTimeoutNamingThePhase() throws Exception {
        Map<String, String> before = Descriptors.snapshot();
        try (Stalled stalled = new Stalled(); Stalled.Pair pair = stalled.connect()) {
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context);
            TlsHandshake.client(runtime.tasks(), pair.client(), "127.0.0.1",
                    TlsOptions.of(pki.trustingCa()).withHandshakeTimeout(Duration.ofMillis(200)), context, outcome);
            outcome.drive();

            SocketTimeoutException error = assertInstanceOf(SocketTimeoutException.class, outcome.error());
            assertTrue(error.getMessage().matches("tls: handshake with 127\\.0\\.0\\.1:" + stalled.port()
                    + " timed out after 200 ms waiting for the peer's handshake data \\(0 bytes received, \\d+ sent\\)"),
                    error.getMessage());
            assertFalse(pair.client().isOpen());
            assertTrue(pair.readToEnd() > 0, "the peer got the ClientHello, then the end of the stream");
        }
        drainAndClose();
        Descriptors.assertNoneLeft(before);
        assertTrue(runtime.inspector().inFlight().isEmpty());
    }

    @Test
    void cancellingTheComposedConnectMidHandshakeClosesItsSocketAndEndsEveryStep() throws Exception {
        Map<String, String> before = Descriptors.snapshot();
        try (Stalled stalled = new Stalled()) {
            TaskFuture<TlsChannel> future = TlsHandshake.connect(runtime.tasks(),
                    InetSocketAddress.createUnresolved("127.0.0.1", stalled.port()), ConnectOptions.defaults(),
                    TlsOptions.of(pki.trustingCa()), context);
            // Connected: the handshake is the step in flight, waiting for a peer that never answers.
            while (runtime.inspector().inFlight().stream().noneMatch(info -> info.name().startsWith("tls client"))) {
                Outcome.iterate(context);
            }
            assertTrue(future.cancel(false));
            while (!runtime.inspector().inFlight().isEmpty()) {
                context.iterate(false); // the cancelled steps' callbacks and cleanups
            }
            assertTrue(future.isCancelled());
            // The peer's end sees the hello, then the close (a read that never ends would time the test out).
            try (SocketChannel accepted = stalled.server.accept()) {
                ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
                long received = 0;
                for (int read; (read = accepted.read(buffer)) >= 0; buffer.clear()) {
                    received += read;
                }
                assertTrue(received > 0, "the client hello was sent");
            }
        }
        drainAndClose();
        Descriptors.assertNoneLeft(before);
    }

    @Test
    void aClientThatSendsNothingEndsTheServerHandshakeByTheTimeout() throws Exception {
        Map<String, String> before = Descriptors.snapshot();
        try (Stalled stalled = new Stalled(); Stalled.Pair pair = stalled.connect()) {
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context);
            TlsHandshake.server(runtime.tasks(), pair.accepted(),
                    TlsOptions.of(pki.withKey("server")).withHandshakeTimeout(Duration.ofMillis(200)), context,
                    outcome);
            outcome.drive();

            SocketTimeoutException error = assertInstanceOf(SocketTimeoutException.class, outcome.error());
            int clientPort = ((InetSocketAddress) pair.client().getLocalAddress()).getPort();
            assertEquals("tls: handshake with 127.0.0.1:" + clientPort + " timed out after 200 ms waiting for the"
                    + " peer's handshake data (0 bytes received, 0 sent)", error.getMessage());
            assertFalse(pair.accepted().isOpen());
            assertEquals(-1, pair.client().read(ByteBuffer.allocate(1)), "the client sees the close");
        }
        drainAndClose();
        Descriptors.assertNoneLeft(before);
    }

    @Test
    void aPeerThatClosesMidHandshakeFailsSayingSo() throws Exception {
        Map<String, String> before = Descriptors.snapshot();
        try (Stalled stalled = new Stalled(); Stalled.Pair pair = stalled.connect()) {
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context);
            TlsHandshake.client(runtime.tasks(), pair.client(), "127.0.0.1",
                    TlsOptions.of(pki.trustingCa()).withHandshakeTimeout(NEVER), context, outcome);
            int hello;
            do {
                Outcome.iterate(context);
            } while ((hello = pair.drain()) == 0);
            pair.accepted().close(); // got the ClientHello; answers with the end of the stream
            outcome.drive();

            SSLHandshakeException error = assertInstanceOf(SSLHandshakeException.class, outcome.error());
            assertEquals("tls: handshake with 127.0.0.1:" + stalled.port() + " failed: the peer closed the connection"
                    + " (0 bytes received, " + hello + " sent)", error.getMessage());
            assertFalse(pair.client().isOpen());
        }
        drainAndClose();
        Descriptors.assertNoneLeft(before);
    }

    @Test
    void aPeerThatSpeaksNoTlsFailsNamingTheEnginesComplaint() throws Exception {
        Map<String, String> before = Descriptors.snapshot();
        try (Stalled stalled = new Stalled(); Stalled.Pair pair = stalled.connect()) {
            pair.accepted().write(ByteBuffer.wrap("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context);
            TlsHandshake.client(runtime.tasks(), pair.client(), "127.0.0.1",
                    TlsOptions.of(pki.trustingCa()).withHandshakeTimeout(NEVER), context, outcome);
            outcome.drive();

            SSLHandshakeException error = assertInstanceOf(SSLHandshakeException.class, outcome.error());
            assertTrue(error.getMessage().startsWith("tls: handshake with 127.0.0.1:" + stalled.port() + " failed: "),
                    error.getMessage());
            assertTrue(error.getMessage().contains("nrecognized SSL message"), error.getMessage());
            assertFalse(pair.client().isOpen());
        }
        drainAndClose();
        Descriptors.assertNoneLeft(before);
    }

    @Test
    void cancellingMidHandshakeClosesTheSocketEndsTheWatchAndCallsBackOnce() throws Exception {
        Map<String, String> before = Descriptors.snapshot();
        try (Stalled stalled = new Stalled(); Stalled.Pair pair = stalled.connect()) {
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context);
            Handshaking handshaking = TlsHandshake.startClient(runtime.tasks(), pair.client(), "127.0.0.1",
                    TlsOptions.of(pki.trustingCa()).withHandshakeTimeout(NEVER), context, outcome);
            do {
                Outcome.iterate(context);
            } while (pair.drain() == 0); // the ClientHello has left: the handshake waits for the peer
            assertEquals(Handshaking.Phase.HANDSHAKING, handshaking.phase());
            assertTrue(handshaking.anythingArmed(), "a watch and the timer wait");

            assertTrue(handshaking.task().cancel(false, "the test is done with it"));
            // Before cancel returned:
            assertEquals(Handshaking.Phase.CANCELLED, handshaking.phase());
            assertFalse(pair.client().isOpen(), "the socket is closed");
            assertFalse(handshaking.anythingArmed(), "the watch and the timer are removed");
            assertFalse(outcome.isDone(), "the cancelled callback is delivered on the context");

            outcome.drive();
            TaskCancelledException error = assertInstanceOf(TaskCancelledException.class, outcome.error());
            assertTrue(error.getMessage().contains("the test is done with it"), error.getMessage());
            assertEquals(-1, pair.drain(), "the peer sees the end of the stream");
            while (context.iterate(false)) {
                // whatever is still due
            }
            assertEquals(1, outcome.calls(), "exactly once");
            assertTrue(runtime.inspector().inFlight().isEmpty());
        }
        context.close();
        Descriptors.assertNoneLeft(before);
    }

    @Test
    void disposingMidHandshakeClosesTheSocketWithoutACallback() throws Exception {
        Map<String, String> before = Descriptors.snapshot();
        try (Stalled stalled = new Stalled(); Stalled.Pair pair = stalled.connect()) {
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context);
            Handshaking handshaking = TlsHandshake.startClient(runtime.tasks(), pair.client(), "127.0.0.1",
                    TlsOptions.of(pki.trustingCa()).withHandshakeTimeout(NEVER), context, outcome);
            do {
                Outcome.iterate(context);
            } while (pair.drain() == 0);

            assertTrue(handshaking.task().dispose());
            assertFalse(pair.client().isOpen());
            assertFalse(handshaking.anythingArmed());
            while (context.iterate(false)) {
                // whatever is still due
            }
            assertFalse(outcome.isDone(), "a disposed task never calls back");
            assertEquals(-1, pair.drain());
            assertNull(outcome.error());
        }
        drainAndClose();
        Descriptors.assertNoneLeft(before);
    }
}
