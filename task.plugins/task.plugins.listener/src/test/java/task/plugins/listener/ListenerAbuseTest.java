package task.plugins.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import task.api.EventContext;
import task.impl.TaskRuntime;
import task.testing.LogCapture;
import task.testing.OpenFiles;
import task.testing.Problems;
import task.testing.StressMode;

/**
 * Issue 4, "Listener and connector under abuse on loopback", the listener's
 * half: floods of thousands of loopback connections (5,000 per test in the
 * short mode, 200,000 with {@code -Dtask.stress.long=true}) from several
 * client threads.
 * <ul>
 * <li>{@link #aNetListenerKeepsAcceptingThroughVanishingResettingThrowingAndSlowClients}:
 * a {@link NetListener} whose handler, on a started context, echoes some
 * clients, sees others vanish (connect and close) or reset (linger 0), throws
 * a RuntimeException or an Error for every {@value #THROW_EVERY}th client,
 * and for every {@value #SLOW_EVERY}th blocks its context until another
 * connection of that client (a "releaser") has been completed by the kernel.
 * Every client is tagged by its first bytes, so the handler's tallies are
 * compared with the clients' exactly: accepted == connects completed, per kind.</li>
 * <li>{@link #theListenOperationsEchoServiceSurvivesAFlood}: the same kinds of
 * client against the {@code listen} operation's echo service, plus clients
 * that reset in the middle of an echo.</li>
 * </ul>
 * Each test runs a small warm-up round first (the JDK opens a few
 * descriptors of its own once per JVM), then counts {@code /proc/self/fd}
 * before and after the measured round: with the runtime still up (the
 * listening socket aside) and after it closed, not one descriptor may be
 * left. Waits are on events (a handler's tally, a context's next poll) under
 * hang guards; nothing asserts on time.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES) // a backstop for the long mode; every wait has its own guard
class ListenerAbuseTest {
    private static final int CONNECTIONS = StressMode.count(5_000, 200_000);
    private static final int WARM_UP = 200;
    private static final int CLIENT_THREADS = 4;
    private static final int THROW_EVERY = 7;
    private static final int SLOW_EVERY = 61;
    /** Connects not yet accepted, at most: well under the backlog, so the kernel never drops a handshake. */
    private static final int UNACCEPTED_MAX = 256;
    private static final int BACKLOG = 4096;
    /** Hang guards only. */
    private static final long GUARD_SECONDS = 60;
    private static final int GUARD_MILLIS = (int) TimeUnit.SECONDS.toMillis(GUARD_SECONDS);
    /** Tag, then the client's index. */
    private static final int HEAD = 1 + Long.BYTES;

    /** What a client does after its connect completes. */
    enum Kind {
        /** Sends its head and reads it back, then end of stream. */
        ECHO,
        /** Closes at once. */
        VANISH,
        /** Resets at once (SO_LINGER 0). */
        RESET,
        /** Its handler call closes it and throws. */
        THROWS,
        /** Its handler call blocks the context until this client's second connection completes. */
        SLOW
    }

    static Kind kind(long seed, int index) {
        if (index % SLOW_EVERY == SLOW_EVERY - 1) {
            return Kind.SLOW;
        }
        if (index % THROW_EVERY == THROW_EVERY - 1) {
            return Kind.THROWS;
        }
        int roll = new SplittableRandom(seed + index).nextInt(10);
        return roll < 4 ? Kind.ECHO : roll < 7 ? Kind.VANISH : Kind.RESET;
    }

    // ------------------------------------------------------------------ NetListener with an abusive handler

    @Test
    void aNetListenerKeepsAcceptingThroughVanishingResettingThrowingAndSlowClients() throws Exception {
        measuredFlood("listener flood", (connections, seed, log) -> flood(connections, seed, log).toString());
    }

    /** A flood of the given size, seeded, logging into the given capture; returns its counts. */
    private interface Flood {
        String run(int connections, long seed, LogCapture log) throws Exception;
    }

    /**
     * Runs {@code flood} once to warm up (the JDK opens some descriptors once
     * per JVM), then once more between two snapshots of the process's open
     * descriptors, which must be equal.
     */
    private static void measuredFlood(String name, Flood flood) throws Exception {
        long seed = StressMode.seed();
        try (LogCapture log = new LogCapture("task.plugins.listener", "task.runtime")) {
            flood.run(WARM_UP, seed, log);
            long fdsBefore = OpenFiles.count();
            Map<String, String> tableBefore = OpenFiles.list();
            long start = System.nanoTime();
            String counts = flood.run(CONNECTIONS, seed, log);
            long fdsAfter = OpenFiles.count();
            StressMode.summary(name, counts + ", fds before=" + fdsBefore + " after=" + fdsAfter, seed, start);
            assertEquals(fdsBefore, fdsAfter,
                    () -> "descriptors left open by the flood: " + OpenFiles.diff(tableBefore, OpenFiles.list()));
        }
    }

    private record FloodResult(int connects, int accepted, AtomicIntegerArray perKind) {
        @Override
        public String toString() {
            StringBuilder kinds = new StringBuilder();
            for (Kind kind : Kind.values()) {
                kinds.append(' ').append(kind.name().toLowerCase()).append('=').append(perKind.get(kind.ordinal()));
            }
            return connects + " connects completed (" + kinds.toString().trim() + ", plus releasers), "
                    + accepted + " accepted, " + CLIENT_THREADS + " client threads";
        }
    }

    /** One round: its own runtime, context and listener, all closed again. */
    private FloodResult flood(int connections, long seed, LogCapture log) throws Exception {
        log.clear();
        TaskRuntime runtime = TaskRuntime.start();
        NetListener listener = new NetListener("flood");
        try {
            EventContext context = runtime.contexts().start("flood-handler");
            listener.open(Loopback.ipv4(0), BACKLOG);
            SocketAddress address = listener.localAddress(0);
            Problems problems = new Problems();
            Semaphore unaccepted = new Semaphore(UNACCEPTED_MAX);
            FloodHandler handler = new FloodHandler(context, unaccepted, problems);
            listener.setClientHandler(handler, context);
            Loopback.settle(context);
            Clients clients = new Clients(connections, seed, address, unaccepted, handler.releases, problems);
            clients.runAndJoin();

            // Every completed connect reaches the handler: wait for the tally, then for one more poll, so
            // that an accept beyond the count would show.
            int completed = clients.completed.get();
            handler.handled.awaitAtLeast(completed, problems);
            Loopback.settle(context);
            problems.assertNone();
            assertEquals(0, clients.failedConnects.get(), "connects that failed on loopback");
            assertEquals(completed, handler.handled.get(), "accepted clients vs. connects the kernel completed");
            assertEquals(clients.kindCount(Kind.ECHO), handler.echoed.get(), "echo clients served");
            assertEquals(clients.kindCount(Kind.SLOW), handler.slow.get(), "slow clients served");
            assertEquals(clients.kindCount(Kind.SLOW), handler.releasers.get(), "releasers accepted");
            assertEquals(clients.kindCount(Kind.VANISH), handler.vanished.get(), "vanished clients seen");
            assertEquals(clients.kindCount(Kind.RESET), handler.reset.get(), "reset clients seen");
            assertEquals(clients.kindCount(Kind.THROWS), handler.booms.get() + handler.errors.get(),
                    "handler calls that threw");
            assertEquals(clients.served.get(), clients.kindCount(Kind.ECHO) + clients.kindCount(Kind.SLOW),
                    "clients that got their echo");
            assertEquals(handler.booms.get(), log.count(HandlerBoom.class), "RuntimeExceptions reported");
            assertEquals(handler.errors.get(), log.count(HandlerError.class), "Errors reported");
            assertEquals(List.of(), log.others(HandlerBoom.class, HandlerError.class), "other warnings");
            assertTrue(listener.isConnected());
            // The handler closed every client: only the listening socket is left of the listener's.
            // Checked by socket, not by count: the JDK may open a descriptor of its own (once per JVM).
            int port = ((InetSocketAddress) address).getPort();
            assertEquals(Set.of(), ourSocketsOnPort(port, false), "descriptors of accepted clients left open");
            assertEquals(1, ourSocketsOnPort(port, true).size(), "the listening socket, before disconnecting");
            listener.disconnect();
            assertEquals(Set.of(), ourSocketsOnPort(port, true), "the listening socket's descriptor after disconnect()");
            return new FloodResult(completed, handler.handled.get(), clients.perKind);
        } finally {
            listener.disconnect();
            runtime.close();
        }
    }

    /** Thrown by the handler for half of the THROWS clients. */
    static final class HandlerBoom extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HandlerBoom(long index) {
            super("handler throws for client #" + index, null, false, false);
        }
    }

    /** Thrown by the handler for the other half: an Error, which the listener does not catch. */
    static final class HandlerError extends Error {
        private static final long serialVersionUID = 1L;

        HandlerError(long index) {
            super("handler Error for client #" + index, null, false, false);
        }
    }

    /**
     * The abusive handler, on the context's thread. It reads each client's
     * head (blocking: the client sends it, or closes, right after its
     * connect, without waiting for the context), acts on the tag, and
     * closes the client, whatever happens.
     */
    private static final class FloodHandler implements ClientHandler {
        private final EventContext context;
        private final Semaphore unaccepted;
        private final Problems problems;
        final Map<Long, CountDownLatch> releases = new ConcurrentHashMap<>();
        final Tally handled = new Tally();
        final AtomicInteger echoed = new AtomicInteger();
        final AtomicInteger slow = new AtomicInteger();
        final AtomicInteger releasers = new AtomicInteger();
        final AtomicInteger vanished = new AtomicInteger();
        final AtomicInteger reset = new AtomicInteger();
        final AtomicInteger booms = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();

        FloodHandler(EventContext context, Semaphore unaccepted, Problems problems) {
            this.context = context;
            this.unaccepted = unaccepted;
            this.problems = problems;
        }

        @Override
        public void onClient(NetListener listener, SocketChannel client) {
            boolean releaser = false;
            RuntimeException boom = null;
            Error error = null;
            try {
                if (!context.inContext()) {
                    problems.add("handler ran off its context, on " + Thread.currentThread());
                }
                ByteBuffer head = ByteBuffer.allocate(HEAD);
                while (head.hasRemaining() && client.read(head) >= 0) {
                    // blocking: the client writes its head, or closes, at once
                }
                if (head.position() == 0) {
                    vanished.incrementAndGet();
                    return;
                }
                if (head.hasRemaining()) {
                    problems.add("a client sent " + head.position() + " bytes of its head");
                    return;
                }
                head.flip();
                byte tag = head.get();
                long index = head.getLong();
                head.rewind();
                switch (tag) {
                    case 'E' -> {
                        echo(client, head);
                        echoed.incrementAndGet();
                    }
                    case 'S' -> {
                        // Slow: block this context until the same client's second connection is complete
                        // (it waits, unaccepted, in the backlog meanwhile).
                        if (!releases.computeIfAbsent(index, i -> new CountDownLatch(1)).await(GUARD_SECONDS,
                                TimeUnit.SECONDS)) {
                            problems.add("slow client #" + index + " was never released");
                        }
                        echo(client, head);
                        slow.incrementAndGet();
                    }
                    case 'R' -> {
                        releaser = true;
                        releasers.incrementAndGet();
                    }
                    case 'T' -> {
                        client.close(); // the handler owns its client, even when it throws
                        if (index % 2 == 0) {
                            booms.incrementAndGet();
                            boom = new HandlerBoom(index);
                        } else {
                            errors.incrementAndGet();
                            error = new HandlerError(index);
                        }
                    }
                    default -> problems.add("unknown tag " + tag + " of client #" + index);
                }
            } catch (IOException e) {
                if (String.valueOf(e.getMessage()).contains("reset")) {
                    reset.incrementAndGet();
                } else {
                    problems.add("handler: " + e);
                }
            } catch (InterruptedException e) {
                problems.add("handler interrupted");
                Thread.currentThread().interrupt();
            } finally {
                try {
                    client.close();
                } catch (IOException e) {
                    problems.add("closing a client: " + e);
                }
                if (!releaser) {
                    unaccepted.release();
                }
                handled.increment();
            }
            if (boom != null) {
                throw boom;
            }
            if (error != null) {
                throw error;
            }
        }

        private static void echo(SocketChannel client, ByteBuffer head) throws IOException {
            while (head.hasRemaining()) {
                client.write(head);
            }
        }
    }

    /** The client threads of one round and what they saw. */
    private static final class Clients {
        private final int connections;
        private final long seed;
        private final SocketAddress address;
        private final Semaphore unaccepted;
        private final Map<Long, CountDownLatch> releases;
        private final Problems problems;
        private final AtomicInteger next = new AtomicInteger();
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger failedConnects = new AtomicInteger();
        final AtomicInteger served = new AtomicInteger();
        final AtomicIntegerArray perKind = new AtomicIntegerArray(Kind.values().length);

        Clients(int connections, long seed, SocketAddress address, Semaphore unaccepted,
                Map<Long, CountDownLatch> releases, Problems problems) {
            this.connections = connections;
            this.seed = seed;
            this.address = address;
            this.unaccepted = unaccepted;
            this.releases = releases;
            this.problems = problems;
        }

        int kindCount(Kind kind) {
            return perKind.get(kind.ordinal());
        }

        void runAndJoin() throws InterruptedException {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < CLIENT_THREADS; t++) {
                Thread thread = new Thread(this::run, "flood-client-" + t);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS) * Math.max(1, connections / 5_000));
                if (thread.isAlive()) {
                    fail(thread.getName() + " hangs; problems so far: " + problems);
                }
            }
        }

        private void run() {
            int index;
            while ((index = next.getAndIncrement()) < connections) {
                Kind kind = kind(seed, index);
                try {
                    if (!unaccepted.tryAcquire(GUARD_SECONDS, TimeUnit.SECONDS)) {
                        problems.add("no client was accepted for " + GUARD_SECONDS + " s");
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                Socket socket = new Socket();
                try {
                    socket.connect(address, GUARD_MILLIS);
                } catch (IOException e) {
                    failedConnects.incrementAndGet();
                    unaccepted.release();
                    problems.add("connect of " + kind + " client #" + index + " failed: " + e);
                    close(socket);
                    continue;
                }
                completed.incrementAndGet();
                perKind.incrementAndGet(kind.ordinal());
                try {
                    socket.setSoTimeout(GUARD_MILLIS);
                    play(kind, index, socket);
                } catch (IOException e) {
                    problems.add(kind + " client #" + index + ": " + e);
                } finally {
                    close(socket);
                }
            }
        }

        private void play(Kind kind, int index, Socket socket) throws IOException {
            switch (kind) {
                case VANISH -> {
                    // closed by the caller at once
                }
                case RESET -> socket.setSoLinger(true, 0);
                case ECHO -> expectEcho(socket, head('E', index), index);
                case THROWS -> {
                    socket.getOutputStream().write(head('T', index));
                    expectEnd(socket, index);
                }
                case SLOW -> {
                    socket.getOutputStream().write(head('S', index));
                    try {
                        releaser(index);
                    } finally {
                        releases.computeIfAbsent((long) index, i -> new CountDownLatch(1)).countDown();
                    }
                    expectEcho(socket, null, index);
                }
            }
        }

        /** The slow client's second connection: its completion releases the first's handler. */
        private void releaser(int index) throws IOException {
            try (Socket releaser = new Socket()) {
                releaser.connect(address, GUARD_MILLIS);
                completed.incrementAndGet();
                releaser.getOutputStream().write(head('R', index));
            }
        }

        private void expectEcho(Socket socket, byte[] send, int index) throws IOException {
            OutputStream out = socket.getOutputStream();
            if (send != null) {
                out.write(send);
            }
            byte[] expected = send != null ? send : head('S', index);
            byte[] got = socket.getInputStream().readNBytes(HEAD);
            if (!Arrays.equals(expected, got)) {
                problems.add("client #" + index + " got " + Arrays.toString(got) + " for " + Arrays.toString(expected));
                return;
            }
            expectEnd(socket, index);
            served.incrementAndGet();
        }

        private void expectEnd(Socket socket, int index) throws IOException {
            InputStream in = socket.getInputStream();
            int more = in.read();
            if (more != -1) {
                problems.add("client #" + index + " got an extra byte " + more);
            }
        }

        private static byte[] head(char tag, long index) {
            return ByteBuffer.allocate(HEAD).put((byte) tag).putLong(index).array();
        }
    }

    // ------------------------------------------------------------------ the listen operation's echo service

    /** What a client of the echo service does. */
    enum EchoKind {
        ECHO, VANISH, RESET, RESET_MIDWAY
    }

    static EchoKind echoKind(long seed, int index) {
        int roll = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (index + 1))).nextInt(10);
        return roll < 4 ? EchoKind.ECHO : roll < 6 ? EchoKind.VANISH : roll < 8 ? EchoKind.RESET
                : EchoKind.RESET_MIDWAY;
    }

    @Test
    void theListenOperationsEchoServiceSurvivesAFlood() throws Exception {
        measuredFlood("listen echo flood", this::echoFlood);
    }

    private String echoFlood(int connections, long seed, LogCapture log) throws Exception {
        log.clear();
        TaskRuntime runtime = TaskRuntime.start();
        EchoListener echo = null;
        try {
            EventContext context = runtime.contexts().start("flood-echo");
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            runtime.operations().start(runtime.tasks(), "listen", List.of("127.0.0.1:0", String.valueOf(BACKLOG)),
                    context, done -> {
                        Throwable error = done.propagateError();
                        if (error != null) {
                            outcome.completeExceptionally(error);
                        } else {
                            outcome.complete(done.result());
                        }
                    });
            echo = (EchoListener) outcome.get(GUARD_SECONDS, TimeUnit.SECONDS);
            SocketAddress address = echo.addresses().get(0);
            Loopback.settle(context);

            Problems problems = new Problems();
            AtomicInteger next = new AtomicInteger();
            AtomicIntegerArray perKind = new AtomicIntegerArray(EchoKind.values().length);
            AtomicInteger echoed = new AtomicInteger();
            AtomicInteger bytes = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < CLIENT_THREADS; t++) {
                Thread thread = new Thread(() -> echoClients(connections, seed, address, next, perKind, echoed, bytes,
                        problems), "echo-client-" + t);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS) * Math.max(1, connections / 5_000));
                if (thread.isAlive()) {
                    fail(thread.getName() + " hangs; problems so far: " + problems);
                }
            }
            // Every client has closed or reset its end: the service closes its side of each in turn.
            EchoListener serving = echo;
            awaitOnContext(context, () -> serving.clientCount() == 0, "the echo service's clients to close");
            problems.assertNone();
            assertEquals(perKind.get(EchoKind.ECHO.ordinal()), echoed.get(), "echo clients served");
            // Still accepting after the flood.
            try (SocketChannel last = SocketChannel.open(address)) {
                Loopback.writeFully(last, "still here".getBytes());
                assertEquals("still here", new String(Loopback.readFully(last, 10)));
            }
            awaitOnContext(context, () -> serving.clientCount() == 0, "the last client to close");
            int port = ((InetSocketAddress) address).getPort();
            // Checked by socket, not by count: the JDK may open a descriptor of
            // its own (once per JVM) at any point of the flood.
            assertEquals(Set.of(), ourSocketsOnPort(port, false), "descriptors of the echo service's clients left open");
            assertEquals(1, ourSocketsOnPort(port, true).size(), "the listening socket, before disconnecting");
            echo.disconnect();
            assertEquals(Set.of(), ourSocketsOnPort(port, true), "the listening socket's descriptor after disconnect()");
            assertEquals(List.of(), log.others(HandlerBoom.class, HandlerError.class), "warnings");
            StringBuilder counts = new StringBuilder(connections + " connects (");
            for (EchoKind kind : EchoKind.values()) {
                counts.append(kind.name().toLowerCase()).append('=').append(perKind.get(kind.ordinal())).append(' ');
            }
            return counts.toString().trim() + "), " + bytes.get() + " bytes echoed, " + CLIENT_THREADS
                    + " client threads";
        } finally {
            if (echo != null) {
                echo.disconnect();
            }
            runtime.close();
        }
    }

    private static void echoClients(int connections, long seed, SocketAddress address, AtomicInteger next,
            AtomicIntegerArray perKind, AtomicInteger echoed, AtomicInteger bytes, Problems problems) {
        int index;
        while ((index = next.getAndIncrement()) < connections) {
            EchoKind kind = echoKind(seed, index);
            SplittableRandom random = new SplittableRandom(seed * 31 + index);
            try (Socket socket = new Socket()) {
                socket.connect(address, GUARD_MILLIS);
                perKind.incrementAndGet(kind.ordinal());
                socket.setSoTimeout(GUARD_MILLIS);
                switch (kind) {
                    case VANISH -> {
                        // closed at once
                    }
                    case RESET -> socket.setSoLinger(true, 0);
                    case RESET_MIDWAY -> {
                        byte[] sent = new byte[1 + random.nextInt(4096)];
                        socket.getOutputStream().write(sent);
                        socket.setSoLinger(true, 0);
                    }
                    case ECHO -> {
                        byte[] sent = new byte[1 + random.nextInt(16384)];
                        random.nextBytes(sent);
                        socket.getOutputStream().write(sent);
                        byte[] got = socket.getInputStream().readNBytes(sent.length);
                        socket.shutdownOutput();
                        int end = socket.getInputStream().read();
                        if (!Arrays.equals(sent, got) || end != -1) {
                            problems.add("echo client #" + index + " got " + got.length + " of " + sent.length
                                    + " bytes" + (Arrays.equals(sent, got) ? "" : ", differing") + ", then " + end);
                        } else {
                            echoed.incrementAndGet();
                            bytes.addAndGet(sent.length);
                        }
                    }
                }
            } catch (IOException e) {
                problems.add(kind + " client #" + index + ": " + e);
            }
        }
    }

    /**
     * Lets a started context poll until {@code done} holds: each round waits
     * for one more poll of the context (see {@link Loopback#settle}), so
     * this follows the context's own progress. Bounded by the hang guard.
     */
    private static void awaitOnContext(EventContext context, BooleanSupplier done, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("gave up waiting for " + what);
            }
            Loopback.settle(context);
        }
        Loopback.settle(context);
    }

    // ------------------------------------------------------------------ helpers

    /** A count that can be waited on. */
    private static final class Tally {
        private int count;

        synchronized void increment() {
            count++;
            notifyAll();
        }

        synchronized int get() {
            return count;
        }

        synchronized void awaitAtLeast(int target, Problems problems) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            while (count < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("the handler took " + count + " of " + target + " clients; problems: " + problems);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    /**
     * The descriptors of this process that are TCP sockets bound to local
     * port {@code port} on loopback: the listening one ({@code listening}),
     * or the accepted ones. Read from /proc/net/tcp{,6}, whose inode column
     * names the socket a descriptor links to ({@code socket:[inode]}).
     */
    private static Set<String> ourSocketsOnPort(int port, boolean listening) throws IOException {
        Set<String> open = new HashSet<>(OpenFiles.list().values());
        Set<String> onPort = new HashSet<>();
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            for (String line : Files.readAllLines(path)) {
                String[] columns = line.trim().split("\\s+");
                if (columns.length < 10 || !columns[1].endsWith(hexPort) || "0".equals(columns[9])) {
                    continue;
                }
                if (listening == "0A".equals(columns[3])) {
                    onPort.add("socket:[" + columns[9] + "]");
                }
            }
        }
        onPort.retainAll(open);
        return onPort;
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to undo
        }
    }
}
