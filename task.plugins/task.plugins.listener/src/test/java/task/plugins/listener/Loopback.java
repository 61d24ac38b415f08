package task.plugins.listener;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import task.api.EventContext;

/**
 * Test helpers on real loopback sockets. {@link #close()} closes, in reverse
 * order, everything registered with {@link #keep}, so a failing test leaks
 * nothing into the next.
 */
final class Loopback implements AutoCloseable {
    private final Deque<AutoCloseable> kept = new ArrayDeque<>();

    <T extends AutoCloseable> T keep(T closeable) {
        kept.push(closeable);
        return closeable;
    }

    /** Connects a blocking client; the kernel completes it from the listener's backlog. */
    SocketChannel connect(SocketAddress address) throws IOException {
        return keep(SocketChannel.open(address));
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!kept.isEmpty()) {
            try {
                kept.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    static InetSocketAddress ipv4(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    static InetSocketAddress unresolved(String host, int port) {
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** Whether ::1 can be bound here. */
    static boolean ipv6Available() {
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            probe.bind(new InetSocketAddress("::1", 0));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The open sockets, pipes and anonymous inodes of this JVM (see OpenFiles). */
    static long openFds() {
        return task.testing.OpenFiles.count();
    }

    /**
     * Waits until a context running on its own thread has run everything
     * posted so far and then polled its selector once more, which is when
     * NIO releases the descriptors of closed channels that were registered
     * with it. A posted event is not enough, as events posted while the loop
     * runs its queue run in the same pass, before any poll; a timer is, since
     * the loop runs due timers only after polling: its registration is
     * queued behind earlier watch cancellations, and it fires on a later pass.
     */
    static void settle(EventContext context) throws InterruptedException {
        CountDownLatch polled = new CountDownLatch(1);
        context.schedule(java.time.Duration.ZERO, polled::countDown);
        polled.await();
    }

    /**
     * Spins until {@code done} holds: for states that have no event to wait
     * on (a thread having entered a blocking call). Interruptible, so that
     * the test's timeout ends it.
     */
    static void spinUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
        while (!done.getAsBoolean()) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            Thread.onSpinWait();
        }
    }

    /** Runs a caller-driven context until {@code done} holds. */
    static void iterateUntil(EventContext context, java.util.function.BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            context.iterate(true);
        }
    }

    /** Runs a caller-driven context until nothing is left to dispatch now. */
    static void drain(EventContext context) {
        // Twice over: a removal posted by one pass takes effect at the next poll.
        for (int i = 0; i < 2; i++) {
            while (context.iterate(false)) {
                // keep going
            }
        }
    }

    static void writeFully(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Reads exactly {@code length} bytes, or fewer if the peer closes first. */
    static byte[] readFully(SocketChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
            // keep reading
        }
        byte[] read = new byte[buffer.position()];
        buffer.flip().get(read);
        return read;
    }

    /**
     * The clients waiting to be accepted on a listening IPv4 loopback
     * socket: for a LISTEN socket, Linux shows its accept queue's length as
     * the {@code rx_queue} of {@code /proc/net/tcp}.
     */
    static int acceptQueueLength(int port) {
        String local = String.format(Locale.ROOT, "0100007F:%04X", port);
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 4 && fields[1].equals(local) && fields[3].equals("0A")) {
                    return Integer.parseInt(fields[4].substring(fields[4].indexOf(':') + 1), 16);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/net/tcp", e);
        }
        throw new AssertionError("no listening socket on " + local + " in /proc/net/tcp");
    }

    /** The soft limit of open descriptors, from /proc/self/limits. */
    static long openFileLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE / 4 : Long.parseLong(soft);
            }
        }
        throw new AssertionError("no 'Max open files' in /proc/self/limits");
    }

    /**
     * Loads every class of this package (the listener's and its tests'),
     * where they are files of a folder, as under Maven: a class first needed
     * once the process is out of descriptors could not be read. (A jar, as
     * in OSGi, is opened once and stays open.)
     */
    static void loadThePackagesClasses() throws Exception {
        for (Class<?> anchor : List.of(NetListener.class, Loopback.class)) {
            Path classes = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path folder = classes.resolve(anchor.getPackageName().replace('.', '/'));
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".class")) {
                        Class.forName(anchor.getPackageName() + "." + name.substring(0, name.length() - 6), false,
                                anchor.getClassLoader());
                    }
                }
            }
        }
    }
}
