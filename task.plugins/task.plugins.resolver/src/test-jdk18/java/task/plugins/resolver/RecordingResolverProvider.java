package task.plugins.resolver;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The JVM's resolver for the lookup-recording tests, installed through the
 * JDK's own SPI ({@code META-INF/services/java.net.spi.InetAddressResolverProvider}
 * in this test folder): it records every name the JDK asks for and answers
 * only {@code localhost} (with or without a final dot), with 127.0.0.1;
 * every other name fails with an {@link UnknownHostException}, so that no
 * test ever reaches a DNS server. Reverse lookups fail too.
 * <p>
 * The JDK loads the provider once per JVM, at its first lookup, from the
 * system class loader; {@link #lookups()} tells a test that it is the one in
 * use. Threading: the JDK calls it from any thread; the counters are atomic
 * and the set concurrent, and a lookup's record happens-before its answer.
 */
public final class RecordingResolverProvider extends InetAddressResolverProvider {
    private static final AtomicLong LOOKUPS = new AtomicLong();
    /** The names asked for, in lower case (the JDK's cache does not tell case apart). */
    private static final Set<String> NAMES = ConcurrentHashMap.newKeySet();

    /** Creates the provider; for ServiceLoader. */
    public RecordingResolverProvider() {
    }

    /** @return how many forward lookups the JDK has asked for so far */
    static long lookups() {
        return LOOKUPS.get();
    }

    /**
     * @param host a name
     * @return whether the JDK has asked for {@code host}, in any case, at least once
     */
    static boolean asked(String host) {
        return NAMES.contains(host.toLowerCase(Locale.ROOT));
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                NAMES.add(host.toLowerCase(Locale.ROOT));
                LOOKUPS.incrementAndGet();
                if (host.equalsIgnoreCase("localhost") || host.equalsIgnoreCase("localhost.")) {
                    return Stream.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
                }
                throw new UnknownHostException(host + ": recorded by the test resolver, not resolved");
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                throw new UnknownHostException("the test resolver answers no reverse lookup");
            }
        };
    }

    @Override
    public String name() {
        return "lookup recorder (task.plugins.resolver tests)";
    }
}
