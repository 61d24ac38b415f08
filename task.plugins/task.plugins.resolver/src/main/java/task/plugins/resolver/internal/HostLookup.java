package task.plugins.resolver.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The blocking name lookup. A seam so that tests can hold a lookup open
 * (to cancel a task in the middle of one); everything else uses
 * {@link #SYSTEM}.
 */
@FunctionalInterface
public interface HostLookup {
    /** The system resolver: {@link InetAddress#getAllByName(String)}. */
    HostLookup SYSTEM = InetAddress::getAllByName;

    /**
     * Looks {@code host} up; may block for as long as the system resolver
     * takes, and is not interruptible.
     *
     * @param host a name, not null or empty; never a host that
     *        {@linkplain Literals#looksNumeric looks numeric} (the resolver
     *        converts or refuses those, so the system resolver never reads
     *        one its own way)
     * @return the addresses found, at least one
     * @throws UnknownHostException if none was found
     */
    InetAddress[] lookup(String host) throws UnknownHostException;
}
