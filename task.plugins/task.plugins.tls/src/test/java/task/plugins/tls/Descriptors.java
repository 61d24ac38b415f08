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
