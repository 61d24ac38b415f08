package task.plugins.listener;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

import task.plugins.resolver.SocketAddresses;

/**
 * The argument checks shared by {@link NetListener} and {@link ListenOperation},
 * done before anything is resolved or opened so that bad input fails fast
 * and leaves nothing behind. Every message starts with {@value #OPERATION}
 * and quotes the value. Stateless.
 */
final class ListenChecks {
    /** The name errors start with, the operation's and the Java API's alike. */
    static final String OPERATION = "listen";
    /** The largest backlog accepted; the kernel caps it lower anyway (somaxconn). */
    static final int MAX_BACKLOG = 65535;
    /** Where Linux publishes the largest backlog its listen() grants (sysctl net.core.somaxconn). */
    static final Path SOMAXCONN = Path.of("/proc/sys/net/core/somaxconn");
    /**
     * The default backlog where {@link #SOMAXCONN} cannot be read: Linux's
     * compiled-in SOMAXCONN since 5.4. Other kernels cap a larger request
     * at their own limit (the BSDs' kern.ipc.somaxconn), so asking for
     * this much is harmless there.
     */
    static final int FALLBACK_BACKLOG = 4096;

    private ListenChecks() {
    }

    static int backlog(int backlog) {
        if (backlog < 1 || backlog > MAX_BACKLOG) {
            throw new IllegalArgumentException(OPERATION + ": backlog " + backlog + " out of range 1.." + MAX_BACKLOG);
        }
        return backlog;
    }

    /**
     * The kernel's largest backlog, read from {@code somaxconn} (a file
     * holding one number, as {@link #SOMAXCONN}), within 1..{@value #MAX_BACKLOG};
     * {@value #FALLBACK_BACKLOG} if it cannot be read or holds no number.
     */
    static int defaultBacklog(Path somaxconn) {
        // One read of a whole buffer (a BufferedReader's): a sysctl file read in pieces ends after the first
        // piece (Files.readString reads one byte first, and gets "4" out of "4096").
        try (BufferedReader in = Files.newBufferedReader(somaxconn)) {
            String line = in.readLine();
            long limit = Long.parseLong(line == null ? "" : line.trim());
            return (int) Math.max(1, Math.min(limit, MAX_BACKLOG));
        } catch (IOException | NumberFormatException | SecurityException unreadable) {
            return FALLBACK_BACKLOG;
        }
    }

    static int backlog(String text) {
        if (text == null || text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(OPERATION + ": backlog '" + text + "' is not a number in 1.."
                    + MAX_BACKLOG);
        }
        if (text.length() > 6) {
            throw new IllegalArgumentException(OPERATION + ": backlog " + text + " out of range 1.." + MAX_BACKLOG);
        }
        return backlog(Integer.parseInt(text));
    }

    /**
     * Checks an address given to the Java API: an unresolved internet
     * address must have a well-formed host (the resolver's parser checks it,
     * labels of 63 characters at most and so on); a UNIX-domain one must
     * name a path that can be created.
     */
    static SocketAddress address(SocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            if (inet.isUnresolved()) {
                String host = inet.getHostString();
                String text = host.indexOf(':') >= 0 ? "[" + host + "]:" + inet.getPort() : host + ":" + inet.getPort();
                SocketAddresses.parse(OPERATION, text, true);
            }
            return address;
        }
        if (address instanceof UnixDomainSocketAddress) {
            return unixPath((UnixDomainSocketAddress) address);
        }
        throw new IllegalArgumentException(OPERATION + ": unsupported address type " + address.getClass().getName()
                + " of '" + address + "' (an InetSocketAddress or a UnixDomainSocketAddress)");
    }

    /**
     * A listener creates its UNIX socket file: the path must not exist yet,
     * its directory must. Checked here so that the failure names the path
     * rather than coming back from bind() as a bare "No such file or directory".
     */
    static UnixDomainSocketAddress unixPath(UnixDomainSocketAddress address) {
        Path path = address.getPath();
        if (path.toString().isEmpty()) {
            throw new IllegalArgumentException(OPERATION + ": UNIX socket path not specified ('unix:')");
        }
        Path directory = path.toAbsolutePath().getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new IllegalArgumentException(OPERATION + ": directory '" + directory + "' of UNIX socket path 'unix:"
                    + path + "' does not exist");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(OPERATION + ": UNIX socket path 'unix:" + path + "' already exists");
        }
        return address;
    }
}
