package task.plugins.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import task.api.EventContext;
import task.api.TaskCallback;
import task.impl.TaskRuntime;
import task.plugins.connector.ConnectOptions;

/**
 * Bad input to the Java API fails fast, names the operation and the value,
 * creates nothing and leaves the caller's socket as it was. No peer and no
 * certificate of ours is needed: these run without openssl.
 */
class BadInputTest {
    private final TaskCallback<SocketChannel, TlsChannel> callback = task -> {
        throw new AssertionError("no callback for refused input");
    };
    private TaskRuntime runtime;
    private EventContext context;
    private ServerSocketChannel server;
    private SocketChannel connected;
    private TlsOptions options;

    @BeforeEach
    void start() throws Exception {
        runtime = TaskRuntime.start();
        context = runtime.contexts().create("tls-bad-input-test");
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        connected = SocketChannel.open(server.getLocalAddress());
        options = TlsOptions.of(SSLContext.getDefault());
    }

    @AfterEach
    void stop() throws Exception {
        connected.close();
        server.close();
        runtime.close();
    }

    private void assertRefused(Class<? extends Throwable> type, String expected, Executable call) throws Exception {
        Map<String, String> before = Descriptors.snapshot();
        Throwable error = assertThrows(type, call);
        assertTrue(error.getMessage().contains(expected), error.getMessage() + " should contain " + expected);
        assertTrue(runtime.inspector().inFlight().isEmpty(), "no task was left");
        assertFalse(context.iterate(false), "nothing was posted, scheduled or watched");
        Descriptors.assertNoneLeft(before);
        assertTrue(connected.isOpen(), "the caller's socket is untouched");
        assertTrue(connected.isBlocking(), "and still in its mode");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                 | tls: host not specified ('')",
            "bad_host           | illegal character '_'",
            "127.1              | '127.1'",
            "[localhost]        | not an IPv6 address in brackets: '[localhost]'",
            "host:with:colons   | host is neither a name nor an IP address: 'host:with:colons'" })
    void aBadPeerHostIsRefused(String host, String expected) throws Exception {
        assertRefused(IllegalArgumentException.class, expected,
                () -> TlsHandshake.client(runtime.tasks(), connected, host, options, context, callback));
    }

    @Test
    void nullsAreRefusedByName() throws Exception {
        assertRefused(NullPointerException.class, "tasks",
                () -> TlsHandshake.client(null, connected, "localhost", options, context, callback));
        assertRefused(NullPointerException.class, "channel",
                () -> TlsHandshake.client(runtime.tasks(), null, "localhost", options, context, callback));
        assertRefused(NullPointerException.class, "peerHost",
                () -> TlsHandshake.client(runtime.tasks(), connected, null, options, context, callback));
        assertRefused(NullPointerException.class, "options",
                () -> TlsHandshake.server(runtime.tasks(), connected, null, context, callback));
        assertRefused(NullPointerException.class, "callback",
                () -> TlsHandshake.server(runtime.tasks(), connected, options, context, null));
        assertRefused(NullPointerException.class, "sslContext", () -> TlsOptions.of(null));
        assertRefused(NullPointerException.class, "handshakeTimeout", () -> options.withHandshakeTimeout(null));
    }

    @Test
    void aClosedOrUnconnectedChannelIsRefused() throws Exception {
        try (SocketChannel unconnected = SocketChannel.open()) {
            assertRefused(IllegalArgumentException.class, "tls: the channel is not connected (",
                    () -> TlsHandshake.client(runtime.tasks(), unconnected, "localhost", options, context, callback));
        }
        SocketChannel closed = SocketChannel.open(server.getLocalAddress());
        closed.close();
        assertRefused(IllegalArgumentException.class, "tls: the channel is closed",
                () -> TlsHandshake.server(runtime.tasks(), closed, options, context, callback));
    }

    @Test
    void anUninitializedSslContextOrRefusedParametersAreRefused() throws Exception {
        TlsOptions uninitialized = TlsOptions.of(SSLContext.getInstance("TLS"));
        assertRefused(IllegalArgumentException.class, "tls: the SSL context (TLS) cannot make an engine",
                () -> TlsHandshake.client(runtime.tasks(), connected, "localhost", uninitialized, context, callback));
        SSLParameters nonsense = new SSLParameters(new String[] {"TLS_NO_SUCH_SUITE"}, new String[] {"TLSv9"});
        assertRefused(IllegalArgumentException.class, "tls: the SSL parameters are refused",
                () -> TlsHandshake.server(runtime.tasks(), connected, options.withParameters(nonsense), context,
                        callback));
    }

    @ParameterizedTest
    @CsvSource({ "PT0S", "PT-1S", "P2D" })
    void aTimeoutOutOfRangeIsRefused(Duration timeout) throws Exception {
        assertRefused(IllegalArgumentException.class, "tls: handshake timeout " + timeout + " out of range",
                () -> options.withHandshakeTimeout(timeout));
    }

    @Test
    void aClosedContextRefusesAndLeavesTheSocketToTheCaller() throws Exception {
        EventContext closed = runtime.contexts().create("closed");
        closed.close();
        Map<String, String> before = Descriptors.snapshot();
        assertThrows(RejectedExecutionException.class,
                () -> TlsHandshake.client(runtime.tasks(), connected, "localhost", options, closed, callback));
        assertTrue(runtime.inspector().inFlight().isEmpty(), "the task was disposed");
        assertTrue(connected.isOpen(), "the socket is still the caller's");
        Descriptors.assertNoneLeft(before);
    }

    @Test
    void aBadAddressToConnectIsRefusedBeforeAnythingOpens() throws Exception {
        assertRefused(IllegalArgumentException.class, "tls-connect: port 0 in 'localhost:0' cannot be connected to",
                () -> TlsHandshake.connect(runtime.tasks(), InetSocketAddress.createUnresolved("localhost", 0),
                        ConnectOptions.defaults(), options, context));
        assertRefused(IllegalArgumentException.class, "tls-connect: host not specified",
                () -> TlsHandshake.connect(runtime.tasks(), InetSocketAddress.createUnresolved("", 443),
                        ConnectOptions.defaults(), options, context));
        assertRefused(IllegalArgumentException.class, "illegal character '_'",
                () -> TlsHandshake.connect(runtime.tasks(), InetSocketAddress.createUnresolved("bad_host", 443),
                        ConnectOptions.defaults(), options, context));
        assertEquals(0, runtime.inspector().inFlight().size());
    }
}
