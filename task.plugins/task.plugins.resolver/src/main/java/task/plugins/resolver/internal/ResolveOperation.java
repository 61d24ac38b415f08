package task.plugins.resolver.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import task.api.Task;
import task.api.spi.Operation;
import task.api.spi.OperationRequest;
import task.plugins.resolver.AddressFamily;
import task.plugins.resolver.SocketAddresses;

/**
 * The {@code resolve HOST [PORT] [FAMILY]} operation: resolves a host with
 * the system resolver in the thread runner and completes with a
 * {@link ResolvedAddresses}, printed one numeric address per line.
 * <p>
 * HOST is a name, an IPv4 address, an IPv6 address (brackets optional) or
 * {@code unix:PATH} (which passes through and takes no port); PORT is
 * 0..65535; FAMILY is {@code any} (the default), {@code ipv4} or
 * {@code ipv6}, and may also come second ({@code resolve localhost ipv4}).
 * <p>
 * Registered as a DS component and, for plain Java, in
 * {@code META-INF/services/task.api.spi.Operation}. Stateless, so any
 * thread, many requests at once.
 */
@Component(service = Operation.class)
public final class ResolveOperation implements Operation {
    private static final List<Argument> ARGUMENTS = List.of(
            new Argument("host", "a host name, an IPv4 or IPv6 address, or unix:PATH", true),
            new Argument("port", "0..65535; without it only host addresses are printed", false),
            new Argument("family", "any (default), ipv4 or ipv6", false));

    /** Creates the operation; for ServiceLoader and DS. */
    public ResolveOperation() {
    }

    @Override
    public String name() {
        return Resolution.OPERATION;
    }

    @Override
    public String description() {
        return "resolve a host name to its numeric addresses, one per line";
    }

    @Override
    public List<Argument> arguments() {
        return ARGUMENTS;
    }

    /**
     * Checks every argument, then starts the lookup (or, for a numeric host,
     * posts the completion). Never blocks.
     *
     * @throws IllegalArgumentException naming the operation and the value,
     *         before anything is started
     */
    @Override
    public void start(Task<OperationRequest, Object> task) {
        OperationRequest request = task.source();
        List<String> arguments = request.arguments();
        String op = request.operation();
        // The registry has checked the count against ARGUMENTS.
        String hostText = request.argument(0, "host");
        String portText = null;
        String familyText = null;
        if (arguments.size() == 2 && AddressFamily.isFamily(arguments.get(1))) {
            familyText = arguments.get(1);
        } else if (arguments.size() >= 2) {
            portText = arguments.get(1);
            familyText = arguments.size() == 3 ? arguments.get(2) : null;
        }
        AddressFamily family = familyText == null ? AddressFamily.ANY : AddressFamily.parse(op, familyText);
        SocketAddress address;
        if (hostText.startsWith(SocketAddresses.UNIX_PREFIX)) {
            if (portText != null) {
                throw new IllegalArgumentException(op + ": a UNIX socket address takes no port, got '" + portText
                        + "' for '" + hostText + "'");
            }
            address = SocketAddresses.parse(op, hostText, false);
        } else {
            String host = SocketAddresses.host(op, hostText);
            int port = portText == null ? 0 : SocketAddresses.port(op, portText);
            address = InetSocketAddress.createUnresolved(host, port);
        }
        Resolution.check(address);
        boolean withPort = portText != null;
        Resolution.start(task, address, family, request.context(), HostLookup.SYSTEM,
                found -> new ResolvedAddresses(found, withPort));
    }
}
