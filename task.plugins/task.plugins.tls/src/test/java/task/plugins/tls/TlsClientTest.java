package task.plugins.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import task.api.EventContext;
import task.api.Task;
import task.api.TaskFuture;
import task.impl.TaskRuntime;
import task.plugins.connector.ConnectOptions;

/**
 * The client side against a real peer, {@code openssl s_server}, on
 * 127.0.0.1 with the test's own CA. A caller-driven context, iterated by the
 * test, runs the handshake; the timeout is only a safety net.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsClientTest {
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
        context = runtime.contexts().create("tls-client-test");
    }

    @AfterEach
    void stop() {
        if (runtime != null) { // null when openssl is missing and the test was skipped
            runtime.close();
        }
    }

    private OpenSslPeer server(String... more) throws IOException {
        String[] arguments = new String[more.length + 4];
        arguments[0] = "-cert";
        arguments[1] = "server.pem";
        arguments[2] = "-key";
        arguments[3] = "server.key";
        System.arraycopy(more, 0, arguments, 4, more.length);
        return OpenSslPeer.server(pki.dir, arguments);
    }

    @ParameterizedTest
    @CsvSource({ "-tls1_3, TLSv1.3", "-tls1_2, TLSv1.2" })
    void securesAConnectionToOpensslServerAndCarriesDataBothWays(String option, String protocol) throws Exception {
        try (OpenSslPeer server = server(option)) {
            Map<String, String> before = Descriptors.snapshot();
            SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
            AtomicReference<TlsChannel> kept = new AtomicReference<>();
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context, task -> {
                TlsChannel tls = task.result().take();
                kept.set(tls);
                // Allowed only because the handshake's watch is gone by now.
                Streams.blocking(tls, true);
            });

            Task<SocketChannel, TlsChannel> task = TlsHandshake.client(runtime.tasks(), socket, "localhost",
                    TlsOptions.of(pki.trustingCa()), context, outcome);
            assertEquals("tls client localhost at 127.0.0.1:" + server.port(), task.name());
            outcome.drive();

            assertNull(outcome.error());
            assertNull(outcome.thrown());
            assertTrue(outcome.ranOnContext(), "the callback runs on the context's thread");
            try (TlsChannel tls = kept.get()) {
                assertTrue(tls.channel().isBlocking(), "the callback could make the socket blocking");
                assertTrue(tls.isClient());
                assertEquals(protocol, tls.protocol());
                assertEquals(tls.session().getCipherSuite(), tls.cipherSuite());
                int local = ((InetSocketAddress) socket.getLocalAddress()).getPort();
                assertEquals("secured 127.0.0.1:" + local + " -> 127.0.0.1:" + server.port() + " " + protocol + " "
                        + tls.cipherSuite(), tls.toString());
                assertEquals("CN=localhost", tls.session().getPeerPrincipal().getName());

                Streams.writeLine(tls, "hello from java");
                server.awaitLine("hello from java");
                server.send("hello from openssl");
                assertEquals("hello from openssl", Streams.readLine(tls));
            }
            // close() sent close_notify: s_server says DONE on a clean shutdown, ERROR otherwise.
            server.awaitLine(line -> line.equals("DONE") || line.startsWith("ERROR"));
            assertFalse(server.transcript().contains("ERROR"), server.transcript());
            assertFalse(socket.isOpen());
            context.close();
            Descriptors.assertNoneLeft(before);
        }
    }

    @Test
    void theCertificateCheckRunsInTheRunnersThreadsNotOnTheContext() throws Exception {
        try (OpenSslPeer server = server()) {
            SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
            java.util.List<Thread> checks = new java.util.concurrent.CopyOnWriteArrayList<>();
            AtomicReference<Thread> contextThread = new AtomicReference<>();
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context,
                    task -> contextThread.set(Thread.currentThread()));
            TlsHandshake.client(runtime.tasks(), socket, "localhost", TlsOptions.of(pki.trustingCaRecording(checks::add)),
                    context, outcome);
            outcome.drive();

            assertNull(outcome.error());
            assertEquals(1, checks.size(), "one check of the server's certificate");
            assertTrue(checks.get(0) != contextThread.get() && checks.get(0).getName().startsWith("task-worker"),
                    "the engine's delegated task ran in a runner thread: " + checks.get(0));
        }
    }

    @Test
    void dataFlowsNonBlockingThroughWatchesOnTheContext() throws Exception {
        try (OpenSslPeer server = server()) {
            SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
            AtomicReference<TlsChannel> kept = new AtomicReference<>();
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context, task -> kept.set(task.result().take()));
            TlsHandshake.client(runtime.tasks(), socket, "127.0.0.1", TlsOptions.of(pki.trustingCa()), context,
                    outcome);
            outcome.drive();
            assertNull(outcome.error());

            try (TlsChannel tls = kept.get()) {
                assertFalse(tls.channel().isBlocking());
                // TLS 1.3: s_server's session tickets come first; read() takes them and returns 0.
                server.send("one line, non-blocking");
                ByteBuffer in = ByteBuffer.allocate(256);
                AtomicReference<Throwable> failed = new AtomicReference<>();
                context.watch(tls.channel(), SelectionKey.OP_READ, ready -> {
                    try {
                        tls.read(in);
                    } catch (IOException e) {
                        failed.set(e);
                        return false;
                    }
                    return in.position() == 0 || in.get(in.position() - 1) != '\n';
                });
                while (failed.get() == null && (in.position() == 0 || in.get(in.position() - 1) != '\n')) {
                    Outcome.iterate(context);
                }
                assertNull(failed.get());
                assertEquals("one line, non-blocking\n", new String(in.array(), 0, in.position(),
                        StandardCharsets.UTF_8));
                ByteBuffer out = ByteBuffer.wrap("and back\n".getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining() || !tls.flush()) {
                    tls.write(out);
                }
                server.awaitLine("and back");
                assertEquals(0, tls.read(ByteBuffer.allocate(16)), "nothing more has come");
            }
        }
    }

    @Test
    void theTaskClosesTheChannelUnlessTheCallbackTakesIt() throws Exception {
        try (OpenSslPeer server = server()) {
            SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
            AtomicReference<TlsChannel> seen = new AtomicReference<>();
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context, task -> {
                assertTrue(task.result().isOpen(), "open while the callback runs");
                seen.set(task.result());
            });
            TlsHandshake.client(runtime.tasks(), socket, "localhost", TlsOptions.of(pki.trustingCa()), context,
                    outcome);
            outcome.drive();
            assertNull(outcome.thrown());

            TlsChannel tls = seen.get();
            assertFalse(tls.isOpen(), "the result's cleanup closed the channel");
            assertFalse(socket.isOpen());
            assertFalse(tls.isTaken());
            IllegalStateException late = assertThrows(IllegalStateException.class, tls::take);
            assertTrue(late.getMessage().contains("closed when its task finished"), late.getMessage());
            server.awaitLine(line -> line.equals("DONE") || line.startsWith("ERROR"));
            assertFalse(server.transcript().contains("ERROR"), "closed with close_notify:\n" + server.transcript());
            tls.close(); // again: nothing happens
        }
    }

    @Test
    void aTakenChannelStaysOpenAndCanBeTakenOnlyOnce() throws Exception {
        try (OpenSslPeer server = server()) {
            SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
            AtomicReference<TlsChannel> kept = new AtomicReference<>();
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context, task -> kept.set(task.result().take()));
            TlsHandshake.client(runtime.tasks(), socket, "localhost", TlsOptions.of(pki.trustingCa()), context,
                    outcome);
            outcome.drive();
            try (TlsChannel tls = kept.get()) {
                assertTrue(tls.isOpen());
                assertTrue(tls.isTaken());
                IllegalStateException twice = assertThrows(IllegalStateException.class, tls::take);
                assertTrue(twice.getMessage().contains("already taken"), twice.getMessage());
            }
        }
    }

    @Test
    void sendsTheHostNameAsTheServerName() throws Exception {
        // s_server answers with the right certificate only to a client that names localhost (SNI).
        try (OpenSslPeer server = OpenSslPeer.server(pki.dir, "-cert", "wrong-name.pem", "-key", "wrong-name.key",
                "-servername", "localhost", "-cert2", "server.pem", "-key2", "server.key")) {
            SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context);
            TlsHandshake.client(runtime.tasks(), socket, "localhost", TlsOptions.of(pki.trustingCa()), context,
                    outcome);
            outcome.drive();
            assertNull(outcome.error());
            server.awaitLine("Hostname in TLS extension: \"localhost\"");
        }
    }

    @Test
    void presentsAClientCertificateWhenTheServerAsks() throws Exception {
        try (OpenSslPeer server = server("-Verify", "1", "-CAfile", "ca.pem", "-verify_return_error")) {
            SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
            Outcome<SocketChannel, TlsChannel> outcome = new Outcome<>(context);
            TlsHandshake.client(runtime.tasks(), socket, "localhost", TlsOptions.of(pki.withKey("client")), context,
                    outcome);
            outcome.drive();
            assertNull(outcome.error());
            server.awaitLine("CN = test client");
        }
    }

    @Test
    void connectsAndSecuresAsOneComposedFuture() throws Exception {
        try (OpenSslPeer server = server()) {
            Map<String, String> before = Descriptors.snapshot();
            AtomicBoolean onContext = new AtomicBoolean();
            // localhost may name ::1 first, where nobody listens; 127.0.0.1 then answers.
            TaskFuture<TlsChannel> future = TlsHandshake.connect(runtime.tasks(),
                    InetSocketAddress.createUnresolved("localhost", server.port()), ConnectOptions.defaults(),
                    TlsOptions.of(pki.trustingCa()), context);
            assertTrue(runtime.inspector().inFlight().stream()
                    .anyMatch(info -> info.name().equals("tls-connect localhost:" + server.port())),
                    "the whole is a task, as its steps are");
            AtomicReference<TlsChannel> channel = new AtomicReference<>();
            CompletableFuture<String> wrote = future.thenApply(secured -> {
                onContext.set(context.inContext());
                channel.set(secured);
                try (secured) { // the future's taker owns the channel
                    Streams.blocking(secured, true);
                    Streams.writeLine(secured, "through the chain");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return secured.toString();
            }).toCompletableFuture();
            while (!wrote.isDone()) {
                Outcome.iterate(context);
            }

            assertTrue(wrote.get().matches("secured 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:" + server.port()
                    + " TLSv1\\.3 TLS_\\w+"), wrote.get());
            assertTrue(onContext.get(), "the future completes on the context's thread");
            server.awaitLine("through the chain");
            // Closed by the taker, with close_notify.
            server.awaitLine(line -> line.equals("DONE") || line.startsWith("ERROR"));
            assertFalse(server.transcript().contains("ERROR"), server.transcript());
            assertFalse(channel.get().isOpen());
            while (context.iterate(false)) {
                // the steps' cleanups
            }
            assertTrue(runtime.inspector().inFlight().isEmpty(), "the whole and its steps have finished");
            context.close();
            Descriptors.assertNoneLeft(before);
        }
    }
}
