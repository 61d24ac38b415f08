package task.plugins.tls.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.osgi.service.component.annotations.Component;

import task.api.Task;
import task.api.TaskFuture;
import task.api.spi.Operation;
import task.api.spi.OperationRequest;
import task.plugins.connector.ConnectOptions;
import task.plugins.resolver.SocketAddresses;
import task.plugins.tls.TlsChannel;
import task.plugins.tls.TlsHandshake;
import task.plugins.tls.TlsOptions;

/**
 * The operation {@code tls-connect HOST:PORT [TIMEOUT_MS] [TRUST]}: resolves,
 * connects and handshakes as one task with {@link TlsHandshake#connect},
 * then closes the connection (close_notify first) and completes with what
 * was negotiated, printed as
 * {@code secured 127.0.0.1:51514 -> 127.0.0.1:4433 TLSv1.3 TLS_AES_128_GCM_SHA256}.
 * It shows that a TLS service answers and is trusted; it hands no channel
 * to anyone.
 * <p>
 * Trust: the peer's certificate must chain to a trusted CA and name HOST.
 * The CAs are, in this order of precedence: the PEM (or DER) certificates
 * of the file TRUST; those of the file named by the system property
 * {@value #TRUST_PROPERTY}; the JDK's default trust store (its
 * {@code cacerts}, or what {@code javax.net.ssl.trustStore} names). A file
 * is read at each start (a few kilobytes, in the calling thread).
 * <p>
 * TIMEOUT_MS bounds the whole operation: the connect may use all of it
 * (each address at most 10000 ms of it), the handshake what is left.
 * <p>
 * A DS component in OSGi, and listed in
 * {@code META-INF/services/task.api.spi.Operation} for plain Java.
 * Stateless and thread-safe.
 */
@Component(service = Operation.class)
public final class TlsConnectOperation implements Operation {
    /** The system property naming a PEM file of the CAs to trust when no TRUST is given. */
    public static final String TRUST_PROPERTY = "task.plugins.tls.trust";

    private static final String NAME = "tls-connect";
    private static final long MAX_TIMEOUT_MS = ConnectOptions.MAX_TIMEOUT.toMillis();

    private static final List<Argument> ARGUMENTS = List.of(
            new Argument("host:port", "HOST:PORT or [IPV6]:PORT of a TLS service; port 1..65535; its certificate"
                    + " must name HOST", true),
            new Argument("timeout_ms", "the overall timeout in milliseconds, 1.." + MAX_TIMEOUT_MS + " (default "
                    + ConnectOptions.DEFAULT_OVERALL_TIMEOUT.toMillis() + "); the handshake gets what the connect"
                    + " leaves", false),
            new Argument("trust", "a PEM file of the CA certificates to trust (default: the file the system"
                    + " property " + TRUST_PROPERTY + " names, else the JDK's trust store)", false));

    /** For ServiceLoader and DS. */
    public TlsConnectOperation() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Connects to a TLS service and secures the connection (certificate checked against HOST), prints"
                + " the protocol and cipher suite, and closes it";
    }

    @Override
    public List<Argument> arguments() {
        return ARGUMENTS;
    }

    @Override
    public void start(Task<OperationRequest, Object> task) {
        OperationRequest request = task.source();
        List<String> arguments = request.arguments();
        // The registry has checked the count against ARGUMENTS.
        SocketAddress parsed = SocketAddresses.parse(NAME, request.argument(0, "HOST:PORT"), true);
        if (!(parsed instanceof InetSocketAddress)) {
            throw new IllegalArgumentException(NAME + ": '" + arguments.get(0)
                    + "' has no host name to check a certificate against; give HOST:PORT");
        }
        InetSocketAddress address = (InetSocketAddress) parsed;
        ConnectOptions connectOptions = ConnectOptions.defaults();
        if (arguments.size() > 1) {
            Duration overall = Duration.ofMillis(timeoutMillis(arguments.get(1)));
            Duration attempt = overall.compareTo(connectOptions.attemptTimeout()) < 0 ? overall
                    : connectOptions.attemptTimeout();
            connectOptions = new ConnectOptions(attempt, overall, connectOptions.family());
        }
        SSLContext trust = arguments.size() > 2 ? Trust.fromFile(NAME, arguments.get(2)) : defaultTrust();
        // What the connect leaves: the whole chain is bounded by the overall timeout.
        TlsOptions tlsOptions = TlsOptions.of(trust).withHandshakeTimeout(connectOptions.overallTimeout());
        TaskFuture<TlsChannel> chain = TlsHandshake.connect(request.tasks(), address, connectOptions, tlsOptions,
                request.context());
        // A chain that finishes first makes the hook (on a finished task) and the cancel do nothing.
        task.onCancel(() -> chain.cancel(false));
        chain.whenCompleteAsync((secured, error) -> finish(task, secured, error)); // on the context
    }

    private static SSLContext defaultTrust() {
        String file = System.getProperty(TRUST_PROPERTY);
        if (file != null && !file.isBlank()) {
            return Trust.fromFile(NAME + " (system property " + TRUST_PROPERTY + ")", file);
        }
        return Trust.jdkDefault(NAME);
    }

    /** On the request's context: reports the session, then closes the channel (close_notify first). */
    private static void finish(Task<OperationRequest, Object> task, TlsChannel secured, Throwable error) {
        if (error != null) {
            task.setError(error);
        } else {
            try (secured) {
                task.setResult(new Secured(secured.localAddress(), secured.remoteAddress(), secured.protocol(),
                        secured.cipherSuite(), secured.toString()));
            }
        }
        task.complete();
    }

    private static long timeoutMillis(String text) {
        boolean negative = text.startsWith("-");
        String digits = negative ? text.substring(1) : text;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(NAME + ": timeout '" + text + "' is not a number of milliseconds");
        }
        // Digits only: out of range if negative, too long to parse, or outside 1..MAX.
        if (negative || digits.length() > 12) {
            throw outOfRange(text);
        }
        long millis = Long.parseLong(digits);
        if (millis < 1 || millis > MAX_TIMEOUT_MS) {
            throw outOfRange(text);
        }
        return millis;
    }

    private static IllegalArgumentException outOfRange(String text) {
        return new IllegalArgumentException(NAME + ": timeout " + text + " ms out of range 1.." + MAX_TIMEOUT_MS);
    }

    /**
     * What the operation produces: the connection it secured (and closed).
     *
     * @param local the local address
     * @param remote the address connected to
     * @param protocol the negotiated protocol
     * @param cipherSuite the negotiated cipher suite
     * @param text {@code secured LOCAL -> REMOTE PROTOCOL CIPHER_SUITE}
     */
    record Secured(SocketAddress local, SocketAddress remote, String protocol, String cipherSuite, String text) {
        @Override
        public String toString() {
            return text;
        }
    }
}
