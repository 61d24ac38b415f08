package task.plugins.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import task.api.EventContext;
import task.api.Task;
import task.api.spi.OperationRequest;
import task.impl.TaskRuntime;
import task.testing.OpenFiles;
import task.testing.StressMode;

/**
 * Issue 9, connection bursts: a watch that fires drains the clients waiting
 * (up to {@link NetListener#ACCEPTS_PER_WAKEUP}), the {@code listen}
 * operation asks for the kernel's largest backlog, and a burst of thousands
 * of connects to the echo service is served with none lost (5,000 in the
 * short mode, 50,000 with {@code -Dtask.stress.long=true}).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // a backstop; every wait has its own guard
class AcceptBurstTest {
    private static final int BURST = StressMode.count(5_000, 50_000);
    /** Descriptors kept free for the JVM and the runtime, beyond two per client. */
    private static final int SPARE_DESCRIPTORS = 512;
    /** The fewest clients connecting at once that still make a burst; fewer descriptors skip the test. */
    private static final int SMALLEST_WAVE = 2_000;
    /** Hang guard only: a wave whose clients are not all served by then has lost some. */
    private static final long GUARD_SECONDS = 120;

    private TaskRuntime runtime;
    private Loopback loopback;

    @BeforeEach
    void start() {
        runtime = TaskRuntime.start();
        loopback = new Loopback();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            loopback.close();
        } finally {
            runtime.close();
        }
    }

    @Test
    void theListenOperationsDefaultBacklogIsTheKernelsLimit(@TempDir Path directory) throws Exception {
        assertEquals(4096, ListenChecks.defaultBacklog(Files.writeString(directory.resolve("a"), "4096\n")));
        assertEquals(200, ListenChecks.defaultBacklog(Files.writeString(directory.resolve("b"), "200")));
        assertEquals(ListenChecks.MAX_BACKLOG,
                ListenChecks.defaultBacklog(Files.writeString(directory.resolve("c"), "4294967295\n")));
        assertEquals(ListenChecks.FALLBACK_BACKLOG,
                ListenChecks.defaultBacklog(Files.writeString(directory.resolve("d"), "lots")));
        assertEquals(ListenChecks.FALLBACK_BACKLOG, ListenChecks.defaultBacklog(directory.resolve("missing")));
        assertEquals(ListenChecks.defaultBacklog(ListenChecks.SOMAXCONN), ListenOperation.DEFAULT_BACKLOG);
        if (Files.isReadable(ListenChecks.SOMAXCONN)) {
            // Not Files.readString: a sysctl file read a byte at a time ends after the first byte.
            int somaxconn = Integer.parseInt(Files.readAllLines(ListenChecks.SOMAXCONN).get(0).trim());
            assertEquals(Math.min(somaxconn, ListenChecks.MAX_BACKLOG), ListenOperation.DEFAULT_BACKLOG);
        }
        String usage = runtime.operations().find("listen").orElseThrow().arguments().get(1).description();
        assertTrue(usage.contains("(default " + ListenOperation.DEFAULT_BACKLOG + ")"), usage);
    }

    @Test
    void oneFiringOfTheWatchAcceptsEveryWaitingClientUpToItsBound() throws Exception {
        EventContext context = loopback.keep(runtime.contexts().create("drain"));
        NetListener listener = loopback.keep(new NetListener("drain"));
        int waiting = NetListener.ACCEPTS_PER_WAKEUP + 36;
        listener.open(Loopback.ipv4(0), 2 * waiting);
        List<SocketChannel> handed = new ArrayList<>();
        listener.setClientHandler((source, client) -> handed.add(loopback.keep(client)), context);
        Loopback.drain(context);
        int port = ((InetSocketAddress) listener.localAddress(0)).getPort();
        for (int i = 0; i < waiting; i++) {
            loopback.connect(listener.localAddress(0));
        }
        // The kernel completes a handshake a little after connect() returns: wait until all are queued.
        Loopback.spinUntil(() -> Loopback.acceptQueueLength(port) == waiting);

        context.iterate(false);
        assertEquals(NetListener.ACCEPTS_PER_WAKEUP, handed.size(), "clients accepted by one firing of the watch");
        context.iterate(false);
        assertEquals(waiting, handed.size(), "clients accepted by the next firing: the rest");
        assertEquals(0, Loopback.acceptQueueLength(port), "clients left in the backlog");
        listener.setClientHandler(null, null);
        Loopback.drain(context); // the watch gone, disconnecting needs no poll of this caller-driven context
    }

    @Test
    void aBurstOfConnectsToTheEchoServiceIsServedWithNoneLost() throws Exception {
        long startNanos = System.nanoTime();
        EchoListener echo = listen("127.0.0.1:0"); // the default backlog
        InetSocketAddress address = (InetSocketAddress) echo.addresses().get(0);
        int wave = (int) Math.min(BURST, (Loopback.openFileLimit() - OpenFiles.countAll() - SPARE_DESCRIPTORS) / 2);
        assumeTrue(wave >= SMALLEST_WAVE, "too few descriptors for a burst of " + SMALLEST_WAVE + " clients");
        int served = 0;
        int waves = 0;
        while (served < BURST) {
            int clients = Math.min(wave, BURST - served);
            served += new Burst(address, served, clients).run();
            waves++;
        }
        assertEquals(BURST, served, "clients that got their echo back");
        StressMode.summary("accept burst", BURST + " clients served in " + waves + " wave(s) of up to " + wave
                + ", backlog " + ListenOperation.DEFAULT_BACKLOG, 0, startNanos);
    }

    /**
     * One wave: every client's non-blocking connect is issued before any is
     * finished; then each, once connected, sends its index and must read it
     * back. All on this thread, through one selector. Returns how many got
     * their echo, which must be all of them.
     */
    private static final class Burst {
        private final InetSocketAddress address;
        private final int first;
        private final int count;

        Burst(InetSocketAddress address, int first, int count) {
            this.address = address;
            this.first = first;
            this.count = count;
        }

        int run() throws IOException {
            List<SocketChannel> channels = new ArrayList<>(count);
            try (Selector selector = Selector.open()) {
                for (int i = 0; i < count; i++) {
                    SocketChannel channel = SocketChannel.open();
                    channels.add(channel);
                    channel.configureBlocking(false);
                    ByteBuffer expected = ByteBuffer.allocate(Long.BYTES).putLong(0, first + i);
                    Client client = new Client(expected);
                    if (channel.connect(address)) {
                        client.connected(channel.register(selector, 0, client));
                    } else {
                        channel.register(selector, SelectionKey.OP_CONNECT, client);
                    }
                }
                int served = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
                while (served < count) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    assertTrue(left > 0, () -> "a wave of " + count + " clients not all served within the hang guard"
                            + " of " + GUARD_SECONDS + " s: " + describe(selector));
                    selector.select(left);
                    Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                    while (ready.hasNext()) {
                        SelectionKey key = ready.next();
                        ready.remove();
                        try {
                            if (((Client) key.attachment()).step(key)) {
                                served++;
                            }
                        } catch (IOException lost) {
                            throw new AssertionError("a client of a wave of " + count + " was lost (" + lost + ") with "
                                    + served + " served: " + describe(selector), lost);
                        }
                    }
                }
                return served;
            } finally {
                for (SocketChannel channel : channels) {
                    channel.close();
                }
            }
        }

        private static String describe(Selector selector) {
            int connecting = 0;
            int echoing = 0;
            for (SelectionKey key : selector.keys()) {
                if (key.isValid() && (key.interestOps() & SelectionKey.OP_CONNECT) != 0) {
                    connecting++;
                } else if (key.isValid()) {
                    echoing++;
                }
            }
            return connecting + " still connecting, " + echoing + " waiting for their echo";
        }
    }

    /** One client of a burst: connect, send its index, read it back, close. Confined to the burst's thread. */
    private static final class Client {
        private final ByteBuffer expected;
        private final ByteBuffer out;
        private final ByteBuffer in = ByteBuffer.allocate(Long.BYTES);

        Client(ByteBuffer expected) {
            this.expected = expected;
            this.out = expected.duplicate();
        }

        void connected(SelectionKey key) throws IOException {
            ((SocketChannel) key.channel()).write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        /** @return true once this client has its echo (and is closed) */
        boolean step(SelectionKey key) throws IOException {
            SocketChannel channel = (SocketChannel) key.channel();
            if (key.isConnectable()) {
                channel.finishConnect(); // a refused or reset connect throws, and fails the test
                connected(key);
                return false;
            }
            if (key.isWritable()) {
                connected(key);
                return false;
            }
            if (channel.read(in) < 0) {
                throw new IOException("the echo service closed " + channel + " before echoing it");
            }
            if (in.hasRemaining()) {
                return false;
            }
            assertEquals(expected.getLong(0), in.getLong(0), "the echo of a client's index");
            channel.close();
            return true;
        }
    }

    /** Runs {@code listen} through the runtime's operation service, as the shell does. */
    private EchoListener listen(String... arguments) throws Exception {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        runtime.operations().start(runtime.tasks(), "listen", List.of(arguments), null,
                done -> complete(done, outcome));
        return loopback.keep((EchoListener) outcome.get(GUARD_SECONDS, TimeUnit.SECONDS));
    }

    private static void complete(Task<OperationRequest, Object> done, CompletableFuture<Object> outcome) {
        Throwable error = done.propagateError();
        if (error != null) {
            outcome.completeExceptionally(error);
        } else {
            outcome.complete(done.result());
        }
    }
}
