package task.plugins.connector;

import java.time.Duration;
import java.util.Objects;

import task.plugins.resolver.AddressFamily;

/**
 * How a {@link Connector} connects: how long one address may take, how long
 * the whole connect (the name lookup included) may take, and which address
 * family to try. Immutable; any thread.
 *
 * @param attemptTimeout how long one address may take before the next one is
 *        tried; more than zero, at most {@link #MAX_TIMEOUT}
 * @param overallTimeout how long the whole connect may take, from
 *        {@link Connector#connect} to the connected channel; more than zero,
 *        at most {@link #MAX_TIMEOUT}
 * @param family which resolved addresses to try
 */
public record ConnectOptions(Duration attemptTimeout, Duration overallTimeout, AddressFamily family) {

    /** The per-attempt timeout of {@link #defaults()}: 10 seconds. */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

    /** The overall timeout of {@link #defaults()}: 30 seconds. */
    public static final Duration DEFAULT_OVERALL_TIMEOUT = Duration.ofSeconds(30);

    /** The longest timeout accepted: one day (a guard against overflow, not a policy). */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);

    /**
     * Checks the options.
     *
     * @param attemptTimeout how long one address may take
     * @param overallTimeout how long the whole connect may take
     * @param family which resolved addresses to try
     * @throws NullPointerException if any component is null, naming it
     * @throws IllegalArgumentException if a timeout is zero, negative or more
     *         than {@link #MAX_TIMEOUT}; the message starts with "connect: "
     *         and names the value
     */
    public ConnectOptions {
        Objects.requireNonNull(attemptTimeout, "attemptTimeout");
        Objects.requireNonNull(overallTimeout, "overallTimeout");
        Objects.requireNonNull(family, "family");
        check("attempt timeout", attemptTimeout);
        check("overall timeout", overallTimeout);
    }

    /**
     * The defaults: 10 s per address, 30 s in all, IPv4 and IPv6.
     *
     * @return the default options
     */
    public static ConnectOptions defaults() {
        return new ConnectOptions(DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_OVERALL_TIMEOUT, AddressFamily.ANY);
    }

    /**
     * These options with another per-attempt timeout.
     *
     * @param timeout as {@link #attemptTimeout()}
     * @return new options
     * @throws IllegalArgumentException as the constructor
     */
    public ConnectOptions withAttemptTimeout(Duration timeout) {
        return new ConnectOptions(timeout, overallTimeout, family);
    }

    /**
     * These options with another overall timeout.
     *
     * @param timeout as {@link #overallTimeout()}
     * @return new options
     * @throws IllegalArgumentException as the constructor
     */
    public ConnectOptions withOverallTimeout(Duration timeout) {
        return new ConnectOptions(attemptTimeout, timeout, family);
    }

    /**
     * These options with another address family.
     *
     * @param family as {@link #family()}
     * @return new options
     */
    public ConnectOptions withFamily(AddressFamily family) {
        return new ConnectOptions(attemptTimeout, overallTimeout, family);
    }

    private static void check(String what, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("connect: " + what + " " + timeout + " out of range (0, "
                    + MAX_TIMEOUT + "]");
        }
    }
}
