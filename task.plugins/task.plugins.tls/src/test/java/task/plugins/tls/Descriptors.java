package task.plugins.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;

import task.testing.OpenFiles;

/**
 * This JVM's sockets and anonymous inodes (selectors: an epoll and an
 * eventfd each), from {@link OpenFiles}, without pipes: the pipes of an
 * openssl child come and go with it (see {@link OpenSslPeer}), and nothing
 * of ours opens one.
 */
public final class Descriptors {
    static {
        // The JDK opens a descriptor of its own, once per JVM, with the first
        // socket channel: the socket that NIO's deferred close of a registered
        // channel dup2s over it (a UNIX socket in /proc/net/unix). JDK 17
        // opens it early; JDK 25 lazily, so a test whose snapshot came before
        // the JVM's first socket would count it as left open. Open it now.
        try {
            java.nio.channels.SocketChannel.open().close();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Descriptors() {
    }

    public static Map<String, String> snapshot() {
        Map<String, String> table = new TreeMap<>(OpenFiles.list());
        table.values().removeIf(target -> target.startsWith("pipe:"));
        return table;
    }

    /** Fails, naming what was added, unless as many are open as in {@code before}. */
    public static void assertNoneLeft(Map<String, String> before) {
        Map<String, String> after = snapshot();
        assertEquals(before.size(), after.size(), () -> "descriptors left open: " + OpenFiles.diff(before, after));
    }
}
