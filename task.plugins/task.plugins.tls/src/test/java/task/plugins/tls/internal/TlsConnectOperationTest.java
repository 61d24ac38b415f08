package task.plugins.tls.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskCancelledException;
import task.api.spi.OperationRequest;
import task.impl.TaskRuntime;
import task.plugins.tls.Descriptors;
import task.plugins.tls.OpenSslPeer;
import task.plugins.tls.Outcome;
import task.plugins.tls.Pki;
import task.plugins.tls.Stalled;
import task.plugins.tls.Stuck;

/**
 * The operation {@code tls-connect HOST:PORT [TIMEOUT_MS] [TRUST]}, found
 * and run through the runtime's operation service as the shell runs it,
 * against {@code openssl s_server}, a peer that stalls and a connect that
 * stays pending.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsConnectOperationTest {
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
        context = runtime.contexts().create("tls-connect-operation-test");
    }

    @AfterEach
    void stop() {
        if (runtime != null) { // null when openssl is missing and the test was skipped
            runtime.close();
        }
    }

    private Task<OperationRequest, Object> run(Outcome<OperationRequest, Object> outcome, String... arguments) {
        return runtime.operations().start(runtime.tasks(), "tls-connect", List.of(arguments), context, outcome);
    }

    private String ca() {
        return pki.certificate("ca").toString();
    }

    private void drainAndClose() {
        while (context.iterate(false)) {
            // until nothing is due
        }
        context.close();
    }

    @Test
    void printsTheSessionAndClosesTheConnectionCleanly() throws Exception {
        try (OpenSslPeer server = OpenSslPeer.server(pki.dir, "-cert", "server.pem", "-key", "server.key")) {
            Map<String, String> before = Descriptors.snapshot();
            Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
            run(outcome, "127.0.0.1:" + server.port(), "30000", ca());
            outcome.drive();

            assertNull(outcome.error());
            assertTrue(outcome.ranOnContext());
            String printed = outcome.result().toString();
            assertTrue(printed.matches("secured 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:" + server.port()
                    + " TLSv1\\.3 TLS_\\w+"), printed);
            // s_server says DONE when the client's close_notify comes, ERROR when the socket just ends.
            server.awaitLine(line -> line.equals("DONE") || line.startsWith("ERROR"));
            assertFalse(server.transcript().contains("ERROR"), server.transcript());
            assertTrue(runtime.inspector().inFlight().isEmpty(), "the operation and its steps have finished");
            drainAndClose();
            Descriptors.assertNoneLeft(before);
        }
    }

    @Test
    void trustsTheFileTheSystemPropertyNames() throws Exception {
        try (OpenSslPeer server = OpenSslPeer.server(pki.dir, "-cert", "server.pem", "-key", "server.key")) {
            System.setProperty(TlsConnectOperation.TRUST_PROPERTY, ca());
            try {
                Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
                // localhost may name ::1 first, where nobody listens; 127.0.0.1 then answers.
                run(outcome, "localhost:" + server.port());
                outcome.drive();
                assertNull(outcome.error());
                assertTrue(outcome.result().toString().startsWith("secured "), outcome.result().toString());
            } finally {
                System.clearProperty(TlsConnectOperation.TRUST_PROPERTY);
            }
        }
    }

    @Test
    void theJdksOwnTrustStoreDoesNotTrustTheTestCa() throws Exception {
        try (OpenSslPeer server = OpenSslPeer.server(pki.dir, "-cert", "server.pem", "-key", "server.key")) {
            Map<String, String> before = Descriptors.snapshot();
            Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
            run(outcome, "127.0.0.1:" + server.port());
            outcome.drive();

            SSLHandshakeException error = assertInstanceOf(SSLHandshakeException.class, outcome.error());
            assertTrue(error.getMessage().startsWith("tls: handshake with 127.0.0.1:" + server.port() + " failed: "),
                    error.getMessage());
            assertTrue(error.getMessage().contains("unable to find valid certification path"), error.getMessage());
            drainAndClose();
            Descriptors.assertNoneLeft(before);
        }
    }

    @Test
    void aCertificateForAnotherHostFails() throws Exception {
        try (OpenSslPeer server = OpenSslPeer.server(pki.dir, "-cert", "wrong-name.pem", "-key", "wrong-name.key")) {
            Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
            run(outcome, "localhost:" + server.port(), "30000", ca());
            outcome.drive();
            SSLHandshakeException error = assertInstanceOf(SSLHandshakeException.class, outcome.error());
            assertTrue(error.getMessage().matches("tls: handshake with localhost at (127\\.0\\.0\\.1|\\[::1\\]):"
                    + server.port() + " failed: (\\(certificate_unknown\\) )?No subject alternative DNS name matching"
                    + " localhost found\\.?"),
                    error.getMessage());
        }
    }

    @Test
    void cancellingDuringTheConnectCancelsItAndClosesItsSocket() throws Exception {
        try (Stuck stuck = new Stuck()) {
            Map<String, String> before = Descriptors.snapshot();
            Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
            Task<OperationRequest, Object> task = run(outcome, "127.0.0.1:" + stuck.port(), "600000", ca());
            assertTrue(context.iterate(true), "the lookup's completion starts the connect");
            assertFalse(outcome.isDone());

            assertTrue(task.cancel(false));
            outcome.drive();
            assertInstanceOf(TaskCancelledException.class, outcome.error());
            assertTrue(runtime.inspector().inFlight().isEmpty(), "the operation and the connect have finished");
            drainAndClose();
            Descriptors.assertNoneLeft(before);
        }
    }

    @Test
    void cancellingDuringTheHandshakeCancelsItAndClosesItsSocket() throws Exception {
        try (Stalled stalled = new Stalled()) {
            stalled.server.configureBlocking(false);
            Map<String, String> before = Descriptors.snapshot();
            Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
            Task<OperationRequest, Object> task = run(outcome, "127.0.0.1:" + stalled.port(), "600000", ca());
            SocketChannel accepted = null;
            ByteBuffer hello = ByteBuffer.allocate(64 * 1024);
            // Until the ClientHello has arrived: connected, and the handshake waits for the peer.
            while (accepted == null || accepted.read(hello) == 0) {
                Outcome.iterate(context);
                if (accepted == null) {
                    accepted = stalled.server.accept();
                    if (accepted != null) {
                        accepted.configureBlocking(false);
                    }
                }
            }
            try (SocketChannel peer = accepted) {
                assertFalse(outcome.isDone());
                assertTrue(task.cancel(false));
                outcome.drive();
                assertInstanceOf(TaskCancelledException.class, outcome.error());
                assertTrue(runtime.inspector().inFlight().isEmpty(), "the operation and the handshake have finished");
                peer.configureBlocking(true);
                while (peer.read(hello.clear()) >= 0) {
                    // the rest, up to the end of the stream: the socket was closed
                }
            }
            drainAndClose();
            Descriptors.assertNoneLeft(before);
        }
    }

    @Test
    void theTimeoutCoversTheHandshake() throws IOException {
        try (Stalled stalled = new Stalled()) {
            Outcome<OperationRequest, Object> outcome = new Outcome<>(context);
            run(outcome, "127.0.0.1:" + stalled.port(), "300", ca());
            outcome.drive();
            SocketTimeoutException error = assertInstanceOf(SocketTimeoutException.class, outcome.error());
            assertTrue(error.getMessage().matches("tls: handshake with 127\\.0\\.0\\.1:" + stalled.port()
                    + " timed out after \\d+ ms waiting for the peer's handshake data \\(0 bytes received, \\d+ sent\\)"),
                    error.getMessage());
        }
    }
}
