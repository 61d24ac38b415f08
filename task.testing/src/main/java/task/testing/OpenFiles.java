package task.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * This JVM's open channel descriptors, from {@code /proc/self/fd} (Linux): a
 * count for before/after assertions, and the table of descriptors with what
 * they point to, so a failed count can say which were added, sockets
 * described from {@code /proc/net}.
 *
 * <p>Only sockets, pipes and anonymous inodes (epoll, eventfd) are counted:
 * what channels and selectors hold. Files and directories are left out, since
 * the JVM opens and closes them on threads of its own at any time (the
 * container support reads {@code memory.stat} under {@code /sys/fs/cgroup},
 * class loading reads jars, and this class lists {@code /proc/self/fd}
 * itself), so a count with them could differ with nothing leaked.
 */
public final class OpenFiles {
    /** How many added sockets {@link #diff} describes at most. */
    public static final int SOCKETS_DESCRIBED = 10;

    private static final Path FDS = Path.of("/proc/self/fd");

    private OpenFiles() {
    }

    /**
     * Counts the open sockets, pipes and anonymous inodes.
     *
     * @return the number of such descriptors
     */
    public static long count() {
        return list().size();
    }

    /**
     * Counts every entry of {@code /proc/self/fd}, files too: for room left
     * under the descriptor limit, not for leak checks.
     *
     * @return the number of open descriptors of any kind
     */
    public static long countAll() {
        try (Stream<Path> fds = Files.list(FDS)) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Lists this JVM's open sockets, pipes and anonymous inodes.
     *
     * @return descriptor number to link target (e.g. {@code socket:[123]}), sorted by number as text
     */
    public static Map<String, String> list() {
        Map<String, String> table = new TreeMap<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS)) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (isChannel(target)) {
                        table.put(fd.getFileName().toString(), target);
                    }
                } catch (IOException closedMeanwhile) {
                    // e.g. the stream's own descriptor
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return table;
    }

    private static boolean isChannel(String target) {
        return target.startsWith("socket:") || target.startsWith("pipe:") || target.startsWith("anon_inode:");
    }

    /**
     * Describes the descriptors added to and removed from {@code before},
     * the first {@value #SOCKETS_DESCRIBED} added sockets with their line
     * of {@code /proc/net} (protocol, addresses, state).
     *
     * @param before a {@link #list()} taken earlier
     * @param after a {@link #list()} taken later
     * @return a one-line description for a failure message
     */
    public static String diff(Map<String, String> before, Map<String, String> after) {
        Map<String, String> added = new TreeMap<>(after);
        added.entrySet().removeAll(before.entrySet());
        Map<String, String> removed = new TreeMap<>(before);
        removed.entrySet().removeAll(after.entrySet());
        StringBuilder sockets = new StringBuilder();
        added.values().stream().filter(link -> link.startsWith("socket:[")).limit(SOCKETS_DESCRIBED)
                .forEach(link -> sockets.append(' ').append(describeSocket(link.substring(8, link.length() - 1))));
        return "added " + added + ", removed " + removed + (sockets.length() > 0 ? ";" + sockets : "");
    }

    /**
     * Describes the descriptors added since {@code before}, and those removed.
     *
     * @param before a {@link #list()} taken earlier
     * @return {@link #diff} of {@code before} and the current list
     */
    public static String changesSince(Map<String, String> before) {
        return diff(before, list());
    }

    /**
     * Finds a socket in {@code /proc/net}.
     *
     * @param inode the socket's inode, as in {@code socket:[inode]}
     * @return its table and line, or a note that it is in none
     */
    public static String describeSocket(String inode) {
        for (String table : List.of("tcp", "tcp6", "unix", "udp", "udp6")) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/net", table))) {
                    if (List.of(line.trim().split("\\s+")).contains(inode)) {
                        return table + ": " + line.trim();
                    }
                }
            } catch (IOException e) {
                // no such table here
            }
        }
        return "socket " + inode + " not in /proc/net";
    }
}
