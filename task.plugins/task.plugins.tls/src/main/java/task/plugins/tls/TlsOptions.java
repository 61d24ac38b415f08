package task.plugins.tls;

import java.time.Duration;
import java.util.Objects;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * How a {@link TlsHandshake} secures a channel: the {@link SSLContext} its
 * engine comes from (trust and, for a server or a client that
 * authenticates, its key), optional {@link SSLParameters} (protocols,
 * cipher suites, client authentication, server names), and how long the
 * handshake may take. Immutable as a record; any thread.
 * <p>
 * The parameters object is not copied (the JDK offers no copy): it is
 * applied to each engine when a handshake starts, so changing it afterwards
 * affects later handshakes only. Share it between threads only if nobody
 * changes it.
 *
 * @param sslContext where the engine comes from; an initialized context
 * @param parameters applied to the engine before the handshake, or null for
 *        the context's defaults. On the client side, an
 *        {@linkplain SSLParameters#getEndpointIdentificationAlgorithm()
 *        endpoint identification algorithm} left null becomes {@code "HTTPS"}
 *        (the peer's certificate must name the host, so a wrong host name
 *        fails), and server names left unset become the peer host's name
 *        (SNI), unless it is a numeric address
 * @param handshakeTimeout how long the handshake may take, from its start
 *        to the secured channel; more than zero, at most {@link #MAX_TIMEOUT}
 */
public record TlsOptions(SSLContext sslContext, SSLParameters parameters, Duration handshakeTimeout) {

    /** The handshake timeout of {@link #of(SSLContext)}: 10 seconds. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** The longest timeout accepted: one day (a guard against overflow, not a policy). */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);

    /**
     * Checks the options.
     *
     * @param sslContext where the engine comes from
     * @param parameters applied to the engine, or null
     * @param handshakeTimeout how long the handshake may take
     * @throws NullPointerException if {@code sslContext} or
     *         {@code handshakeTimeout} is null, naming it
     * @throws IllegalArgumentException if the timeout is zero, negative or
     *         more than {@link #MAX_TIMEOUT}; the message starts with
     *         "tls: " and names the value
     */
    public TlsOptions {
        Objects.requireNonNull(sslContext, "sslContext");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero() || handshakeTimeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("tls: handshake timeout " + handshakeTimeout + " out of range (0, "
                    + MAX_TIMEOUT + "]");
        }
    }

    /**
     * Options with the context's default parameters and a handshake
     * timeout of {@link #DEFAULT_HANDSHAKE_TIMEOUT}.
     *
     * @param sslContext where the engine comes from, for example
     *        {@link SSLContext#getDefault()} (the JDK's default trust store)
     * @return the options
     * @throws NullPointerException if {@code sslContext} is null
     */
    public static TlsOptions of(SSLContext sslContext) {
        return new TlsOptions(sslContext, null, DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /**
     * These options with other parameters.
     *
     * @param parameters as {@link #parameters()}, or null for the context's defaults
     * @return new options
     */
    public TlsOptions withParameters(SSLParameters parameters) {
        return new TlsOptions(sslContext, parameters, handshakeTimeout);
    }

    /**
     * These options with another handshake timeout.
     *
     * @param timeout as {@link #handshakeTimeout()}
     * @return new options
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException as the constructor
     */
    public TlsOptions withHandshakeTimeout(Duration timeout) {
        return new TlsOptions(sslContext, parameters, timeout);
    }
}
